using Navarch.Controllers.GarbageCollector;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.GarbageCollector;

/// <summary>An API server with a controller manager that runs only the garbage collector.</summary>
public sealed class GarbageCollectorFixture : IAsyncLifetime
{
    public ControllerFixture Cluster { get; } = new();

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        await Cluster.StartAsync([GarbageCollectorController.Descriptor]);
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();
}
