using Navarch.Controllers.Namespace;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.Namespace;

/// <summary>An API server with a controller manager that runs only the namespace controller, without its 5 s delay.</summary>
public sealed class NamespaceControllerFixture : IAsyncLifetime
{
    public ControllerFixture Cluster { get; } = new();

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        await Cluster.StartAsync([NamespaceController.DescriptorWith(new NamespaceControllerOptions { DeletionDelay = TimeSpan.Zero })]);
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();
}
