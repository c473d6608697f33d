using Navarch.ApiServer.Security;
using Navarch.Controllers.Framework;
using Navarch.Controllers.Hosting;
using Navarch.Controllers.RootCaCertPublisher;
using Navarch.Controllers.Tests.Support;

namespace Navarch.Controllers.Tests.RootCaCertPublisher;

/// <summary>
/// An API server with a controller manager running only root-ca-cert-publisher, given the API server's CA file as
/// <c>navarch server</c> gives it.
/// </summary>
public sealed class RootCaCertPublisherFixture : IAsyncLifetime
{
    public ControllerFixture Cluster { get; } = new();

    /// <summary>What every namespace's ConfigMap must hold: the CA file's text.</summary>
    public string RootCa { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Cluster.InitializeAsync();
        var file = Path.Combine(Cluster.ApiServer.Certificates.TlsDirectory, ClusterCertificates.CaCertificateFile);
        RootCa = await File.ReadAllTextAsync(file);
        await Cluster.StartAsync([RootCaCertPublisherController.Descriptor], new ControllerManagerHostOptions
        {
            LeaderElect = false,
            Controllers = new ControllerManagerOptions { RootCaFile = file },
        });
    }

    public Task DisposeAsync() => Cluster.DisposeAsync();
}
