using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Navarch.ApiServer.NodeProxy;

namespace Navarch.ApiServer.Tests.NodeProxy;

/// <summary>An HTTP/1.1 TLS connection to an API server with a client certificate, for writing upgrade requests by hand.</summary>
internal static class RawApiConnection
{
    public static async Task<BackendConnection> OpenAsync(Uri url, X509Certificate2 clientCertificate, CancellationToken cancellationToken = default)
    {
        var client = new TcpClient();
        await client.ConnectAsync(url.Host, url.Port, cancellationToken);
        var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, cancellationToken);
        return new BackendConnection(tls);
    }
}
