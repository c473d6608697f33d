using Navarch.Controllers.Endpoints;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.Endpoints;

/// <summary>An API server running the endpoints controller, shared by the tests of a class.</summary>
public sealed class EndpointsFixture : IAsyncLifetime
{
    public ControllerFixture Cluster { get; } = new();

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        await Cluster.StartAsync([EndpointsController.Descriptor]);
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();
}
