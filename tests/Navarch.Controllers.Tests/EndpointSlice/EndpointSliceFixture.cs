using Navarch.Controllers.EndpointSlice;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.EndpointSlice;

/// <summary>An API server running the EndpointSlice controller, shared by the tests of a class.</summary>
public sealed class EndpointSliceFixture : IAsyncLifetime
{
    public ControllerFixture Cluster { get; } = new();

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        await Cluster.StartAsync([EndpointSliceController.Descriptor]);
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();
}
