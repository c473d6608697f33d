using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Navarch.Bench;

/// <summary>
/// The benchmark's kubemark-like nodes: 4 cpu, 32Gi memory (unless the caller asks for more), 110 pods, Ready,
/// labelled with their host name and one of three zones (round robin), as scheduler_perf's node-default template;
/// created through the API concurrently.
/// </summary>
internal static class SchedulerNodes
{
    public const int Zones = 3;

    public const int CpuMillis = 4000;

    public static string NodeName(int index) => $"node-{index.ToString(CultureInfo.InvariantCulture)}";

    public static int ZoneIndex(int index) => index % Zones;

    /// <summary>The node index of a name <see cref="NodeName"/> made; -1 for any other name.</summary>
    public static int IndexOf(string name) =>
        name.StartsWith("node-", StringComparison.Ordinal)
        && int.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : -1;

    /// <summary>Creates nodes 0..count-1 over the given clients; returns how long that took.</summary>
    public static Task<TimeSpan> CreateAsync(IReadOnlyList<HttpClient> clients, int concurrency, int count, CancellationToken ct) =>
        CreateAsync(clients, concurrency, count, "4", "32Gi", ct);

    /// <summary>As <see cref="CreateAsync(IReadOnlyList{HttpClient}, int, int, CancellationToken)"/>, with another cpu and memory capacity (quantities).</summary>
    public static async Task<TimeSpan> CreateAsync(
        IReadOnlyList<HttpClient> clients, int concurrency, int count, string cpu, string memory, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var status = StatusJson(now, cpu, memory);
        var next = -1;
        var workers = new Task[concurrency];
        for (var w = 0; w < concurrency; w++)
        {
            var http = clients[w % clients.Count];
            workers[w] = Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < count)
                {
                    await CreateOneAsync(http, index, status, ct).ConfigureAwait(false);
                }
            }, ct);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    private static async Task CreateOneAsync(HttpClient http, int index, string status, CancellationToken ct)
    {
        var name = NodeName(index);
        var zone = $"zone-{ZoneIndex(index).ToString(CultureInfo.InvariantCulture)}";
        var node = $$$"""
            {"apiVersion":"v1","kind":"Node","metadata":{"name":"{{{name}}}","labels":{"kubernetes.io/hostname":"{{{name}}}","kubernetes.io/os":"linux","kubernetes.io/arch":"amd64","topology.kubernetes.io/zone":"{{{zone}}}"}},"spec":{},"status":{{{status}}}}
            """;
        using var create = SchedulerHttp.NewRequest(http, HttpMethod.Post, "/api/v1/nodes", node);
        var body = await SchedulerHttp.SendAsync(http, create, ct, HttpStatusCode.Created).ConfigureAwait(false);
        if (KeptStatus(body))
        {
            return;
        }

        // Kubernetes keeps a node's status on create (the kubelet registers that way); a server that drops it gets
        // the status through the subresource.
        using var patch = SchedulerHttp.NewRequest(
            http, HttpMethod.Patch, $"/api/v1/nodes/{name}/status", $$$"""{"status":{{{status}}}}""", "application/merge-patch+json");
        await SchedulerHttp.SendAsync(http, patch, ct, HttpStatusCode.OK).ConfigureAwait(false);
    }

    private static string StatusJson(string now, string cpu, string memory) =>
        $$$"""
        {"capacity":{"cpu":"{{{cpu}}}","memory":"{{{memory}}}","pods":"110"},"allocatable":{"cpu":"{{{cpu}}}","memory":"{{{memory}}}","pods":"110"},"phase":"Running","conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","message":"kubelet is posting ready status","lastHeartbeatTime":"{{{now}}}","lastTransitionTime":"{{{now}}}"}]}
        """;

    private static bool KeptStatus(byte[] created)
    {
        using var document = JsonDocument.Parse(created);
        return document.RootElement.TryGetProperty("status", out var status)
            && status.TryGetProperty("allocatable", out var allocatable) && allocatable.TryGetProperty("cpu", out _)
            && status.TryGetProperty("conditions", out var conditions) && conditions.GetArrayLength() > 0;
    }
}
