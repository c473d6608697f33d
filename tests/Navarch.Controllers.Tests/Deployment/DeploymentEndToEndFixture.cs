using Navarch.Controllers.Deployment;
using Navarch.Controllers.ReplicaSet;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.Deployment;

/// <summary>A real API server with the deployment and ReplicaSet controllers; tests play the kubelet with <see cref="FakeKubelet"/>.</summary>
public sealed class DeploymentEndToEndFixture : IAsyncLifetime
{
    public ControllerFixture Cluster { get; } = new();

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        await Cluster.StartAsync([DeploymentController.Descriptor, ReplicaSetController.Descriptor]);
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();
}
