using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Navarch.ApiServer.Security;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>
/// Opens connections to kubelets with the API server's kubelet client certificate. The kubelet's serving certificate
/// is self-signed and not checked, as kube-apiserver does without <c>--kubelet-certificate-authority</c>.
/// </summary>
internal sealed class KubeletConnector : IDisposable
{
    /// <summary>How long a TCP connect plus TLS handshake to a kubelet may take.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly X509Certificate2 _clientCertificate;
    private readonly SocketsHttpHandler _handler;

    public KubeletConnector(CertificateAndKeyPem clientCertificate)
    {
        ArgumentNullException.ThrowIfNull(clientCertificate);
        _clientCertificate = clientCertificate.ToCertificate();
        _handler = new SocketsHttpHandler
        {
            ConnectTimeout = ConnectTimeout,
            // The node proxy relays redirects and cookies to its client; none are followed or kept here.
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            SslOptions = SslOptions(null),
        };
        Http = new HttpMessageInvoker(_handler, disposeHandler: false);
    }

    /// <summary>
    /// A client for plain (non-upgrade) requests such as container logs: it returns at the response head and streams the
    /// body, with no overall timeout, as logs may follow.
    /// </summary>
    public HttpMessageInvoker Http { get; }

    /// <summary>A TLS connection to the kubelet speaking HTTP/1.1, for requests that upgrade the connection.</summary>
    public async Task<Stream> ConnectAsync(KubeletEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, deadline.Token).ConfigureAwait(false);
            var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
            try
            {
                await tls.AuthenticateAsClientAsync(SslOptions(endpoint.Host), deadline.Token).ConfigureAwait(false);
                return tls;
            }
            catch
            {
                await tls.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"dial tcp {endpoint.Authority}: i/o timeout");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private SslClientAuthenticationOptions SslOptions(string? targetHost) => new()
    {
        TargetHost = targetHost,
        ApplicationProtocols = [SslApplicationProtocol.Http11],
        // Always present our certificate, whatever CA names the kubelet lists in its certificate request.
        LocalCertificateSelectionCallback = (_, _, _, _, _) => _clientCertificate,
        RemoteCertificateValidationCallback = (_, _, _, _) => true,
    };

    public void Dispose()
    {
        Http.Dispose();
        _handler.Dispose();
        _clientCertificate.Dispose();
    }
}
