using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using k8s.Models;
using Navarch.Kubelet.Cri;
using Navarch.Kubelet.Pods.Probes.Health;

namespace Navarch.Kubelet.Pods.Probes;

/// <summary>
/// The four kinds of check the kubelet's prober runs (exec through CRI ExecSync, httpGet, tcpSocket, grpc health),
/// shared by probes and lifecycle hooks. Expected failures are results, not exceptions.
/// </summary>
public sealed class ProbeActions : IDisposable
{
    /// <summary>As the kubelet's prober, at most this much of an HTTP body goes into the message.</summary>
    private const int MaxBodyBytes = 10 * 1024;

    private readonly CriClient _cri;
    private readonly HttpClient _http;

    public ProbeActions(CriClient cri)
    {
        _cri = cri;
        var handler = new SocketsHttpHandler
        {
            // As the kubelet: probes do not reuse connections and do not verify the container's certificate.
            PooledConnectionLifetime = TimeSpan.Zero,
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 10,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            UseProxy = false,
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The User-Agent the kubelet's HTTP probes send (kube-probe/&lt;major&gt;.&lt;minor&gt;).</summary>
    public const string UserAgent = "kube-probe/1.34";

    public async Task<ProbeResult> ExecAsync(ProbeTarget target, IList<string> command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _cri.ExecSyncAsync(target.ContainerId, command, timeout, cancellationToken).ConfigureAwait(false);
            var output = response.Stdout.ToStringUtf8() + response.Stderr.ToStringUtf8();
            // As the kubelet's exec prober, the message is the command's output, whatever the exit code.
            return new ProbeResult(response.ExitCode == 0 ? ProbeOutcome.Success : ProbeOutcome.Failure, output, response.ExitCode);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return e.StatusCode == StatusCode.DeadlineExceeded
                ? ProbeResult.Failure($"command timed out: \"{string.Join(' ', command)}\" timed out after {GoTimeout(timeout)}")
                : ProbeResult.Failure(e.Status.Detail);
        }
    }

    public async Task<ProbeResult> HttpGetAsync(ProbeTarget target, V1HTTPGetAction action, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (ResolvePort(target.Container, action.Port) is not { } port)
        {
            return ProbeResult.Failure($"unable to find port \"{action.Port?.Value}\" in container \"{target.Container.Name}\"");
        }

        var host = string.IsNullOrEmpty(action.Host) ? target.Host : action.Host;
        if (string.IsNullOrEmpty(host))
        {
            return ProbeResult.Failure("the pod has no IP to probe yet");
        }

        var scheme = string.Equals(action.Scheme, "HTTPS", StringComparison.OrdinalIgnoreCase) ? "https" : "http";
        var path = string.IsNullOrEmpty(action.Path) ? "/" : action.Path.StartsWith('/') ? action.Path : "/" + action.Path;
        var hostPart = IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        if (!Uri.TryCreate($"{scheme}://{hostPart}:{port.ToString(CultureInfo.InvariantCulture)}{path}", UriKind.Absolute, out var url))
        {
            return ProbeResult.Failure($"invalid URL for path \"{path}\" on {hostPart}");
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.TryAddWithoutValidation("Accept", "*/*");
        foreach (var header in action.HttpHeaders ?? [])
        {
            if (string.Equals(header.Name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = header.Value;
                continue;
            }

            request.Headers.Remove(header.Name);
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var body = await ReadBodyAsync(response, deadline.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return code is >= 200 and < 400
                ? ProbeResult.Success(body)
                : ProbeResult.Failure($"HTTP probe failed with statuscode: {code.ToString(CultureInfo.InvariantCulture)}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Failure($"Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        catch (HttpRequestException e)
        {
            return ProbeResult.Failure($"Get \"{url}\": {e.InnerException?.Message ?? e.Message}");
        }
    }

    public async Task<ProbeResult> TcpSocketAsync(ProbeTarget target, V1TCPSocketAction action, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (ResolvePort(target.Container, action.Port) is not { } port)
        {
            return ProbeResult.Failure($"unable to find port \"{action.Port?.Value}\" in container \"{target.Container.Name}\"");
        }

        var host = string.IsNullOrEmpty(action.Host) ? target.Host : action.Host;
        if (string.IsNullOrEmpty(host))
        {
            return ProbeResult.Failure("the pod has no IP to probe yet");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
            return ProbeResult.Success();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Failure($"dial tcp {host}:{port.ToString(CultureInfo.InvariantCulture)}: i/o timeout");
        }
        catch (SocketException e)
        {
            return ProbeResult.Failure($"dial tcp {host}:{port.ToString(CultureInfo.InvariantCulture)}: connect: {e.Message.ToLowerInvariant()}");
        }
    }

    public async Task<ProbeResult> GrpcAsync(ProbeTarget target, V1GRPCAction action, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(target.Host))
        {
            return ProbeResult.Failure("the pod has no IP to probe yet");
        }

        var address = $"{target.Host}:{action.Port.ToString(CultureInfo.InvariantCulture)}";
        using var channel = GrpcChannel.ForAddress("http://" + address, new GrpcChannelOptions { HttpClient = _http, DisposeHttpClient = false });
        var client = new Health.Health.HealthClient(channel);
        try
        {
            var response = await client.CheckAsync(
                new HealthCheckRequest { Service = action.Service ?? string.Empty },
                new CallOptions(deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? ProbeResult.Success()
                : ProbeResult.Failure($"service unhealthy (responded with \"{StatusName(response.Status)}\")");
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return e.StatusCode switch
            {
                StatusCode.DeadlineExceeded => ProbeResult.Failure($"timeout: health rpc did not complete within {GoTimeout(timeout)}"),
                StatusCode.Unimplemented => ProbeResult.Failure($"error: this server does not implement the grpc health protocol (grpc.health.v1.Health): {e.Status.Detail}"),
                _ => ProbeResult.Failure($"error: health rpc probe failed: {e.Status.Detail}"),
            };
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A port given by number, or by the name of one of the container's ports.</summary>
    internal static int? ResolvePort(V1Container container, IntOrString? port)
    {
        var value = port?.Value;
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number is > 0 and < 65536 ? number : null;
        }

        foreach (var candidate in container.Ports ?? [])
        {
            if (candidate.Name == value)
            {
                return candidate.ContainerPort;
            }
        }

        return null;
    }

    private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxBodyBytes];
            var read = 0;
            while (read < buffer.Length)
            {
                var count = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
                if (count == 0)
                {
                    break;
                }

                read += count;
            }

            return Encoding.UTF8.GetString(buffer, 0, read);
        }
    }

    private static string StatusName(HealthCheckResponse.Types.ServingStatus status) => status switch
    {
        HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
        HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
        _ => "UNKNOWN",
    };

    private static string GoTimeout(TimeSpan timeout) => Lifecycle.GoDuration.Format(timeout);
}
