namespace Navarch.ApiServer.NodeProxy;

/// <summary>
/// The client for proxied requests that do not go to a kubelet's API port: pods (plain HTTP or HTTPS) and other node
/// ports. As kube-apiserver's proxy transport it does not verify the backend's certificate, follows no redirects and
/// keeps no cookies; connecting is bounded by <see cref="KubeletConnector.ConnectTimeout"/>.
/// </summary>
internal sealed class ProxyTransport : IDisposable
{
    private readonly SocketsHttpHandler _handler = new()
    {
        ConnectTimeout = KubeletConnector.ConnectTimeout,
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        SslOptions = new System.Net.Security.SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
    };

    public ProxyTransport() => Http = new HttpMessageInvoker(_handler, disposeHandler: false);

    public HttpMessageInvoker Http { get; }

    public void Dispose()
    {
        Http.Dispose();
        _handler.Dispose();
    }
}
