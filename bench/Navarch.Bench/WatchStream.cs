using System.Net;
using System.Text.Json;

namespace Navarch.Bench;

/// <summary>
/// Follows a Kubernetes watch (newline-delimited JSON events) and hands each event line to an observer,
/// reconnecting from the last resourceVersion seen when the server ends the stream. ERROR events (e.g. 410
/// Expired after a reconnect) end the run: a benchmark cannot tell what it missed.
/// </summary>
internal static class WatchStream
{
    /// <param name="path">The collection's watch path without a resourceVersion, e.g. <c>/api/v1/pods?watch=1</c>.</param>
    /// <param name="observe">Records one event; <paramref name="observe"/> gets the event's type and object.</param>
    /// <param name="established">Completed once the first stream is open.</param>
    public static async Task RunAsync(
        HttpClient http, string path, Action<string, JsonElement> observe, TaskCompletionSource established, CancellationToken ct)
    {
        string? resourceVersion = null;
        while (true)
        {
            var url = resourceVersion is null ? path : $"{path}&resourceVersion={Uri.EscapeDataString(resourceVersion)}";
            using var request = SchedulerHttp.NewRequest(http, HttpMethod.Get, url);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException(
                    $"GET {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}");
            }

            established.TrySetResult();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0) continue;
                using var document = JsonDocument.Parse(line);
                var type = document.RootElement.GetProperty("type").GetString() ?? string.Empty;
                var obj = document.RootElement.GetProperty("object");
                if (type == "ERROR")
                {
                    throw new InvalidOperationException($"the watch of {path} failed: {obj.GetRawText()}");
                }

                if (obj.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("resourceVersion", out var rv))
                {
                    resourceVersion = rv.GetString() ?? resourceVersion;
                }

                observe(type, obj);
            }
        }
    }
}
