using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Navarch.ApiServer.Tests.NodeProxy;

/// <summary>
/// A plain HTTP server standing in for a pod, on one of this machine's non-loopback IPv4 addresses (the API server
/// refuses loopback pod IPs, as kube-apiserver does). It answers every request with its method, path and query.
/// </summary>
public sealed class FakePod : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakePod(WebApplication app, IPAddress address, int port)
    {
        _app = app;
        Address = address;
        Port = port;
    }

    public IPAddress Address { get; }

    public int Port { get; }

    public static async Task<FakePod> StartAsync()
    {
        var address = LocalAddress();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, 0));
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync($"pod {context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
        });
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakePod(app, address, new Uri(bound).Port);
    }

    private static IPAddress LocalAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a) && a.GetAddressBytes()[0] != 169)
        ?? throw new InvalidOperationException("this machine has no non-loopback IPv4 address to stand in for a pod IP");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
