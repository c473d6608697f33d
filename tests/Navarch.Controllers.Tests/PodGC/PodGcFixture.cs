using Navarch.Controllers.Framework;
using Navarch.Controllers.Hosting;
using Navarch.Controllers.PodGC;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.PodGC;

/// <summary>An API server with a controller manager running only PodGC: a threshold of 2, a fast period and a short quarantine.</summary>
public sealed class PodGcFixture : IAsyncLifetime
{
    public const int Threshold = 2;

    public ControllerFixture Cluster { get; } = new();

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        await Cluster.StartAsync(
            [PodGcController.DescriptorWith(new PodGcOptions { CheckPeriod = TimeSpan.FromMilliseconds(200), Quarantine = TimeSpan.FromSeconds(1) })],
            new ControllerManagerHostOptions { LeaderElect = false, Controllers = new ControllerManagerOptions { TerminatedPodGcThreshold = Threshold } });
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();
}
