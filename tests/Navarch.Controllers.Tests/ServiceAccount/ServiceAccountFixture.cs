using Navarch.Controllers.ServiceAccount;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.ServiceAccount;

/// <summary>An API server with a controller manager running only the service-account controller.</summary>
public sealed class ServiceAccountFixture : IAsyncLifetime
{
    public ControllerFixture Cluster { get; } = new();

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        await Cluster.StartAsync([ServiceAccountsController.Descriptor]);
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();
}
