using k8s;

namespace Navarch.Client.Tests.Support;

/// <summary>One API server shared by the tests of the <see cref="ServerCollection"/>; each test works in its own namespace.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private TestServer? _server;

    public TestServer Server => _server ?? throw new InvalidOperationException("not started");

    public Kubernetes Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        Admin = _server.AdminClient();
    }

    /// <summary>Creates a namespace with a unique name for one test.</summary>
    public async Task<string> NewNamespaceAsync()
    {
        var name = "t-" + Guid.NewGuid().ToString("N")[..12];
        await Admin.CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new() { Name = name } });
        return name;
    }

    public async Task DisposeAsync()
    {
        Admin?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
