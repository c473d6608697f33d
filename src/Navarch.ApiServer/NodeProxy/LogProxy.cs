using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Navarch.ApiServer.Errors;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>
/// Streams a container's log from the kubelet to the client, as kube-apiserver's LocationStreamer: text/plain,
/// flushed as bytes arrive when following, and ended (with the kubelet connection) when the client goes away.
/// </summary>
internal sealed partial class LogProxy(KubeletConnector connector, ILogger<LogProxy> logger)
{
    public async Task ProxyAsync(HttpContext context, KubeletEndpoint endpoint, string pathAndQuery, bool follow, string podName)
    {
        var cancellation = context.RequestAborted;
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint.UriFor(pathAndQuery));
        HttpResponseMessage response;
        try
        {
            response = await connector.Http.SendAsync(request, cancellation).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            Log.DialFailed(logger, endpoint.Authority, e.Message);
            throw ApiException.Internal($"error dialing backend: {e.Message}");
        }
        catch (TaskCanceledException e) when (!cancellation.IsCancellationRequested)
        {
            Log.DialFailed(logger, endpoint.Authority, e.Message);
            throw ApiException.Internal($"error dialing backend: {e.Message}");
        }

        using (response)
        {
            if ((int)response.StatusCode is < 200 or > 206)
            {
                var body = await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false);
                await KubeletErrorResponse.WriteAsync(context, (int)response.StatusCode, body, podName).ConfigureAwait(false);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "text/plain";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await context.Response.StartAsync(cancellation).ConfigureAwait(false);
            var source = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
            // A kubelet ending the stream mid-way leaves the client with what came, as with upstream's copy.
            await BodyRelay.CopyAsync(source, context.Response.Body, flushEachChunk: follow, cancellation).ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot reach the kubelet at {Kubelet} for container logs: {Reason}")]
        public static partial void DialFailed(ILogger logger, string kubelet, string reason);
    }
}
