using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Navarch.Bench;

/// <summary>
/// <c>api</c>: a real <c>navarch server</c> (child process, SQLite store, loopback HTTPS with the client certificate of
/// its kubeconfig) under pod creates at 1, 16 and 64 concurrent clients, gets of one pod by name at 16, and lists of
/// a namespace of <see cref="ListPods"/> pods as JSON and as a Table; with the server's RSS before and after.
/// </summary>
/// <remarks>
/// Requests go through a raw <see cref="HttpClient"/> with pre-encoded bodies rather than KubernetesClient's typed
/// client, so the client (which shares the machine's cores with the server) spends no time on model serialization;
/// one extra row measures the typed client's creates at 16 clients to show what that choice saves.
/// </remarks>
internal static class ApiBenchmark
{
    private const string Namespace = "navarch-bench";
    private const string WarmupNamespace = "navarch-bench-warmup";
    private const string TypedNamespace = "navarch-bench-typed";
    private const string ListNamespace = "navarch-bench-list";
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io";
    private const int GetClients = 16;
    private const int RatioClients = 16;
    private const int Lists = 20;

    // A fixed count, not however many the timed creates made, so list figures compare across machines and runs.
    private const int ListPods = 3000;
    private const int WarmupLists = 2;
    private const int MaxOperationsPerClient = 1_000_000;
    private static readonly int[] CreateClients = [1, 16, 64];
    // Long enough for tiered compilation to finish the hot paths on both sides (the JIT's background thread shows
    // seconds of CPU in the server during a shorter warm-up, all charged to the first measured cell).
    private static readonly TimeSpan WarmupDuration = TimeSpan.FromSeconds(2);

    // A list phase is bounded by its count; this only stops a pathologically slow server from hanging the run.
    private static readonly TimeSpan ListCap = TimeSpan.FromMinutes(2);

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        if (!TryParse(args, out var seconds, out var httpVersion))
        {
            Console.Error.WriteLine("usage: Navarch.Bench api [--seconds N] [--http 2|1.1]   (N > 0, default 3; HTTP/2 by default, as client-go)");
            return 2;
        }

        var duration = TimeSpan.FromSeconds(seconds);
        var root = Directory.CreateTempSubdirectory("navarch-bench-api-");
        try
        {
            await using var server = await NavarchServerProcess.StartAsync(
                Path.Combine(root.FullName, "bin"), Path.Combine(root.FullName, "data"), ct).ConfigureAwait(false);
            try
            {
                return await RunAgainstAsync(server, root.FullName, duration, httpVersion, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
            {
                // Most failures here are the server's; say what it said.
                await Console.Error.WriteLineAsync(await server.DescribeAsync().ConfigureAwait(false)).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static async Task<int> RunAgainstAsync(NavarchServerProcess server, string root, TimeSpan duration, Version httpVersion, CancellationToken ct)
    {
        var seconds = duration.TotalSeconds;
        using var credentials = await server.WaitReadyAsync(c => c.CreateHttpClient(httpVersion), ct).ConfigureAwait(false);
        using var http = credentials.CreateHttpClient(httpVersion);
        var rssBefore = server.ResidentBytes();
        using var typed = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.KubeconfigPath));
        Console.WriteLine(
            $"navarch server pid {server.ProcessId} at {credentials.Server} (SQLite store and a copy of the build under {root}); " +
            $"HTTP/{httpVersion} raw HttpClient; {seconds:0.##} s per cell; {Environment.ProcessorCount} cores; load average {LoadAverage()}");

        foreach (var ns in (string[])[WarmupNamespace, Namespace, TypedNamespace, ListNamespace])
        {
            await CreateNamespaceAsync(http, ns, ct).ConfigureAwait(false);
        }

        // Warm up connections, JIT on both sides and the database's file before anything is measured.
        var stored = (await MeasureCreatesAsync(server, http, WarmupNamespace, "w", RatioClients, WarmupDuration, ct).ConfigureAwait(false)).Operations;
        await MeasureGetsAsync(server, http, WarmupNamespace, "w-0-0", WarmupDuration, ct).ConfigureAwait(false);
        await MeasureListsAsync(server, http, WarmupNamespace, "application/json", WarmupLists, ct).ConfigureAwait(false);
        await MeasureListsAsync(server, http, WarmupNamespace, TableAccept, WarmupLists, ct).ConfigureAwait(false);
        stored += (await MeasureTypedCreatesAsync(server, typed, WarmupNamespace, "wk", WarmupDuration, ct).ConfigureAwait(false)).Operations;

        Console.WriteLine();
        Console.WriteLine(
            $"{"phase",-22} {"clients",7} {"ops",7} {"ops/s",8} {"p50 ms",8} {"p99 ms",8} " +
            $"{"server cpu%",11} {"bench cpu%",10} {"server µs/op",12} {"bench µs/op",11}");
        var creates = new Dictionary<int, LoadResult>();
        foreach (var clients in CreateClients)
        {
            var result = await MeasureCreatesAsync(server, http, Namespace, $"c{clients}", clients, duration, ct).ConfigureAwait(false);
            creates[clients] = result;
            stored += result.Operations;
            Print("create pod", clients, result);
        }

        var typedCreates = await MeasureTypedCreatesAsync(server, typed, TypedNamespace, "k", duration, ct).ConfigureAwait(false);
        stored += typedCreates.Operations;
        Print("create pod (typed)", RatioClients, typedCreates);
        Print("get pod", GetClients, await MeasureGetsAsync(server, http, Namespace, "c1-0-0", duration, ct).ConfigureAwait(false));

        await FillAsync(server, http, ListNamespace, ListPods, ct).ConfigureAwait(false);
        stored += ListPods;
        var (json, jsonBytes, jsonItems) = await MeasureListsAsync(server, http, ListNamespace, "application/json", Lists, ct).ConfigureAwait(false);
        Print("list json", 1, json);
        var (table, tableBytes, tableRows) = await MeasureListsAsync(server, http, ListNamespace, TableAccept, Lists, ct).ConfigureAwait(false);
        Print("list table", 1, table);
        if (jsonItems != ListPods || tableRows != ListPods)
        {
            throw new InvalidOperationException($"created {ListPods} pods but the JSON list held {jsonItems} and the Table {tableRows} rows");
        }

        var rssAfter = server.ResidentBytes();
        Console.WriteLine();
        Console.WriteLine($"lists of {ListPods} pods: JSON {jsonBytes / 1024.0 / 1024:F1} MiB, Table {tableBytes / 1024.0 / 1024:F1} MiB per response");
        Console.WriteLine(
            $"server RSS: {Mebibytes(rssBefore)} MiB before, {Mebibytes(rssAfter)} MiB after with {stored} pods stored, peak {Mebibytes(server.PeakResidentBytes())} MiB");
        Console.WriteLine($"load average at the end {LoadAverage()}; (typed) = KubernetesClient's CoreV1.CreateNamespacedPodAsync, for comparison");
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"api pod creates/s at {RatioClients} clients: {creates[RatioClients].OpsPerSecond:F0}"));
        return 0;
    }

    private static Task<LoadResult> MeasureCreatesAsync(
        NavarchServerProcess server, HttpClient http, string ns, string prefix, int clients, TimeSpan duration, CancellationToken ct,
        int maxPerClient = MaxOperationsPerClient)
    {
        var path = new Uri($"/api/v1/namespaces/{ns}/pods", UriKind.Relative);
        return LoadResult.MeasureAsync(
            clients, duration, maxPerClient, server.CpuTime, (client, i, token) => CreatePodAsync(http, path, $"{prefix}-{client}-{i}", token), ct);
    }

    private static async Task CreatePodAsync(HttpClient http, Uri path, string name, CancellationToken ct)
    {
        using var request = NewRequest(http, HttpMethod.Post, path);
        request.Content = PodBody(name);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        await DrainAsync(response, HttpStatusCode.Created, ct).ConfigureAwait(false);
    }

    /// <summary>Creates exactly <paramref name="count"/> pods in <paramref name="ns"/>, split over the ratio's clients.</summary>
    private static async Task FillAsync(NavarchServerProcess server, HttpClient http, string ns, int count, CancellationToken ct)
    {
        var perClient = count / RatioClients;
        var filled = await MeasureCreatesAsync(server, http, ns, "l", RatioClients, ListCap, ct, perClient).ConfigureAwait(false);
        for (var i = filled.Operations; i < count; i++)
        {
            await CreatePodAsync(http, new Uri($"/api/v1/namespaces/{ns}/pods", UriKind.Relative), $"l-rest-{i}", ct).ConfigureAwait(false);
        }
    }

    private static Task<LoadResult> MeasureTypedCreatesAsync(
        NavarchServerProcess server, Kubernetes kubernetes, string ns, string prefix, TimeSpan duration, CancellationToken ct) =>
        LoadResult.MeasureAsync(RatioClients, duration, MaxOperationsPerClient, server.CpuTime, async (client, i, token) =>
        {
            var pod = new V1Pod
            {
                ApiVersion = "v1",
                Kind = "Pod",
                Metadata = new V1ObjectMeta { Name = $"{prefix}-{client}-{i}", Labels = new Dictionary<string, string> { ["app"] = "navarch-bench" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "pause", Image = "registry.k8s.io/pause:3.10" }] },
            };
            await kubernetes.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: token).ConfigureAwait(false);
        }, ct);

    private static Task<LoadResult> MeasureGetsAsync(
        NavarchServerProcess server, HttpClient http, string ns, string name, TimeSpan duration, CancellationToken ct)
    {
        var path = new Uri($"/api/v1/namespaces/{ns}/pods/{name}", UriKind.Relative);
        return LoadResult.MeasureAsync(GetClients, duration, MaxOperationsPerClient, server.CpuTime, async (_, _, token) =>
        {
            using var request = NewRequest(http, HttpMethod.Get, path);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            await DrainAsync(response, HttpStatusCode.OK, token).ConfigureAwait(false);
        }, ct);
    }

    /// <summary>Sequential lists of the namespace's pods; returns the last response's size and item (or row) count.</summary>
    private static async Task<(LoadResult Result, long Bytes, int Items)> MeasureListsAsync(
        NavarchServerProcess server, HttpClient http, string ns, string accept, int count, CancellationToken ct)
    {
        var path = new Uri($"/api/v1/namespaces/{ns}/pods", UriKind.Relative);
        byte[] last = [];
        var result = await LoadResult.MeasureAsync(1, ListCap, count, server.CpuTime, async (_, _, token) =>
        {
            using var request = NewRequest(http, HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Accept", accept);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                await DrainAsync(response, HttpStatusCode.OK, token).ConfigureAwait(false);
            }

            last = await response.Content.ReadAsByteArrayAsync(token).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);

        // Counted after the clock stopped: a Table's entries are "rows", a list's "items".
        using var document = JsonDocument.Parse(last);
        var items = document.RootElement.TryGetProperty("rows", out var rows) ? rows.GetArrayLength()
            : document.RootElement.GetProperty("items").GetArrayLength();
        return (result, last.LongLength, items);
    }

    /// <summary>
    /// A request with the client's HTTP version and policy: those defaults apply only to the requests HttpClient's
    /// helpers build, and a hand-built message would otherwise go out as HTTP/1.1.
    /// </summary>
    private static HttpRequestMessage NewRequest(HttpClient http, HttpMethod method, Uri path) =>
        new(method, path) { Version = http.DefaultRequestVersion, VersionPolicy = http.DefaultVersionPolicy };

    private static async Task CreateNamespaceAsync(HttpClient http, string name, CancellationToken ct)
    {
        using var content = JsonContent($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{name}}}"}}""");
        using var response = await http.PostAsync(new Uri("/api/v1/namespaces", UriKind.Relative), content, ct).ConfigureAwait(false);
        await DrainAsync(response, HttpStatusCode.Created, ct).ConfigureAwait(false);
    }

    /// <summary>A small valid pod: one container, no resources, so the server's defaulting and validation still run.</summary>
    private static ByteArrayContent PodBody(string name) =>
        JsonContent(
            $$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","labels":{"app":"navarch-bench"}},"spec":{"containers":[{"name":"pause","image":"registry.k8s.io/pause:3.10"}]}}""");

    private static ByteArrayContent JsonContent(string json)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static async Task DrainAsync(HttpResponseMessage response, HttpStatusCode expected, CancellationToken ct)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw new InvalidOperationException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)expected}: {body}");
        }

        await response.Content.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
    }

    private static void Print(string phase, int clients, LoadResult r) =>
        Console.WriteLine(
            $"{phase,-22} {clients,7} {r.Operations,7} {r.OpsPerSecond,8:F0} {r.P50.TotalMilliseconds,8:F2} {r.P99.TotalMilliseconds,8:F2} " +
            $"{r.ServerCpuPercent,11:F0} {r.BenchCpuPercent,10:F0} {r.ServerCpuPercent * 1e4 / r.OpsPerSecond,12:F0} {r.BenchCpuPercent * 1e4 / r.OpsPerSecond,11:F0}");

    /// <summary>The 1, 5 and 15 minute load averages: the machine may be shared, and this says how busy it was.</summary>
    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Mebibytes(long bytes) => (bytes / 1024.0 / 1024).ToString("F0", CultureInfo.InvariantCulture);

    private static bool TryParse(string[] args, out double seconds, out Version httpVersion)
    {
        seconds = 3;
        httpVersion = HttpVersion.Version20;
        for (var i = 0; i < args.Length; i++)
        {
            var (name, text) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], i + 1 < args.Length ? args[++i] : null);
            switch (name)
            {
                case "--seconds" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) && seconds > 0:
                    break;
                case "--http" when text is "2" or "2.0":
                    httpVersion = HttpVersion.Version20;
                    break;
                case "--http" when text is "1.1":
                    httpVersion = HttpVersion.Version11;
                    break;
                default:
                    return false;
            }
        }

        return true;
    }
}
