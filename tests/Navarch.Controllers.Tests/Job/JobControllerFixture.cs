using Navarch.Controllers.Framework;
using Navarch.Controllers.Job;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.Job;

/// <summary>One API server with the job and ttl-after-finished controllers, the pod-failure back-off shortened to 200 ms.</summary>
public sealed class JobControllerFixture : IAsyncLifetime
{
    public ControllerFixture Cluster { get; } = new();

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        var options = new JobControllerOptions { PodFailureBackoff = TimeSpan.FromMilliseconds(200), MaxPodFailureBackoff = TimeSpan.FromSeconds(1) };
        await Cluster.StartAsync(
        [
            new ControllerDescriptor(JobController.Descriptor.Name, context => new JobController(context, options)),
            TtlAfterFinishedController.Descriptor,
        ]);
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();
}
