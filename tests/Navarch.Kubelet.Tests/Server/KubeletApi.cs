using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Server;

namespace Navarch.Kubelet.Tests.Server;

/// <summary>A started <see cref="KubeletServer"/> on a free loopback port with its own CA, and clients for it.</summary>
public sealed class KubeletApi : IAsyncDisposable
{
    public const string NodeName = "api-test-node";

    private readonly List<IDisposable> _owned = [];

    private KubeletApi(KubeletServer server, TestCertificateAuthority ca, string directory)
    {
        Server = server;
        Ca = ca;
        Directory = directory;
    }

    public KubeletServer Server { get; }

    public TestCertificateAuthority Ca { get; }

    public string Directory { get; }

    public Uri BaseAddress => new($"https://127.0.0.1:{Server.Port}");

    public static async Task<KubeletApi> StartAsync(CriClient cri, string? directory = null, TestCertificateAuthority? ca = null)
    {
        ca ??= new TestCertificateAuthority();
        directory ??= System.IO.Directory.CreateTempSubdirectory("nvk-api-").FullName;
        var server = new KubeletServer(
            new KubeletServerOptions
            {
                NodeName = NodeName,
                CertificateDirectory = Path.Combine(directory, "kubelet"),
                Port = 0,
                BindAddress = IPAddress.Loopback,
                ClientCaPem = ca.CertificatePem,
                FilesystemRoot = directory,
                LogPollInterval = TimeSpan.FromMilliseconds(50),
            },
            cri,
            NullLoggerFactory.Instance,
            TimeProvider.System);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await server.StartAsync(timeout.Token);
        return new KubeletApi(server, ca, directory);
    }

    /// <summary>A client presenting <paramref name="certificate"/> (none when null), trusting whatever the kubelet serves.</summary>
    public HttpClient Client(X509Certificate2? certificate, Action<X509Certificate2?>? onServerCertificate = null)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, serving, _, _) =>
        {
            onServerCertificate?.Invoke(serving is null ? null : X509CertificateLoader.LoadCertificate(serving.GetRawCertData()));
            return true;
        };
        if (certificate is not null)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }

        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        _owned.Add(client);
        return client;
    }

    /// <summary>A client with the API server's kubelet client identity.</summary>
    public HttpClient ApiServerClient()
    {
        var certificate = Ca.IssueClient(KubeletServerOptions.DefaultAllowedClientName);
        _owned.Add(certificate);
        return Client(certificate);
    }

    public X509Certificate2 ApiServerCertificate()
    {
        var certificate = Ca.IssueClient(KubeletServerOptions.DefaultAllowedClientName);
        _owned.Add(certificate);
        return certificate;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        foreach (var owned in _owned) owned.Dispose();
        Ca.Dispose();
    }
}
