using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Discovery;
using Navarch.ApiServer.OpenApi;
using Navarch.ApiServer.Registry;

namespace Navarch.ApiServer.Tests.Discovery;

/// <summary>A real Kestrel server on a free loopback port with only the discovery and OpenAPI endpoints mapped.</summary>
public sealed class DiscoveryTestServer : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public ResourceRegistry Registry { get; } = ResourceRegistry.CreateDefault();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapDiscovery(Registry);
        _app.MapOpenApi(Registry);
        await _app.StartAsync();
        // Kestrel always provides the addresses feature; with port 0 it holds the port actually bound.
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
