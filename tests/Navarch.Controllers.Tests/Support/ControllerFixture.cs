using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Client;
using Navarch.Controllers.Framework;
using Navarch.Controllers.Hosting;
using Navarch.Testing;

namespace Navarch.Controllers.Tests.Support;

/// <summary>
/// A real API server on a free port (temporary data dir) with an admin client, and controller managers started
/// against it with the identity <c>system:kube-controller-manager</c>, as <c>navarch server</c> runs them. No
/// kubelet runs: <see cref="FakeKubelet"/> plays its part where a test needs pods to run.
/// </summary>
public sealed class ControllerFixture : ApiServerFixture
{
    private readonly List<ControllerManagerHost> _managers = [];

    /// <summary>Starts a controller manager running <paramref name="controllers"/> (leader election off unless options say so).</summary>
    public async Task<ControllerManagerHost> StartAsync(IReadOnlyList<ControllerDescriptor> controllers, ControllerManagerHostOptions? options = null)
    {
        options ??= new ControllerManagerHostOptions { LeaderElect = false };
        options = options with { Serving = options.Serving with { SecurePort = options.Serving.SecurePort == ControllerManagerHostOptions.DefaultSecurePort ? 0 : options.Serving.SecurePort }, RateLimit = ClientRateLimit.Unlimited };
        var host = new ControllerManagerHost(options, controllers, ClientFor("system:kube-controller-manager"), NullLoggerFactory.Instance, TimeProvider.System);
        await host.StartAsync(CancellationToken.None);
        lock (_managers) _managers.Add(host);
        return host;
    }

    /// <summary>Stops one controller manager cleanly (releasing its lease).</summary>
    public async Task StopAsync(ControllerManagerHost host)
    {
        lock (_managers) _managers.Remove(host);
        await host.StopAsync(CancellationToken.None);
        await host.DisposeAsync();
    }

    protected override async Task StopComponentsAsync()
    {
        List<ControllerManagerHost> managers;
        lock (_managers) managers = [.. _managers];
        foreach (var host in managers)
        {
            await host.StopAsync(CancellationToken.None);
            await host.DisposeAsync();
        }
    }
}
