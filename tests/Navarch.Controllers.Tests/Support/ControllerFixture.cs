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
    /// <summary>Starts a controller manager running <paramref name="controllers"/> (leader election off unless options say so).</summary>
    public async Task<ControllerManagerHost> StartAsync(IReadOnlyList<ControllerDescriptor> controllers, ControllerManagerHostOptions? options = null)
    {
        options ??= new ControllerManagerHostOptions { LeaderElect = false };
        options = options with { Serving = options.Serving with { SecurePort = options.Serving.SecurePort == ControllerManagerHostOptions.DefaultSecurePort ? 0 : options.Serving.SecurePort }, RateLimit = ClientRateLimit.Unlimited };
        return await StartComponentAsync(
            new ControllerManagerHost(options, controllers, ClientFor("system:kube-controller-manager"), NullLoggerFactory.Instance, TimeProvider.System));
    }

    /// <summary>Stops one controller manager cleanly (releasing its lease).</summary>
    public Task StopAsync(ControllerManagerHost host) => StopComponentAsync(host);
}
