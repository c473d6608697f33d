using Navarch.Controllers.Deployment;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.Deployment;

/// <summary>A real API server with one controller manager running only the deployment controller: tests play the ReplicaSet controller's part.</summary>
public sealed class DeploymentFixture : IAsyncLifetime
{
    public ControllerFixture Cluster { get; } = new();

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        await Cluster.StartAsync([DeploymentController.Descriptor]);
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();
}
