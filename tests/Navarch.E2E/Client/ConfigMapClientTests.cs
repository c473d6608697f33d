using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Client;

/// <summary>The official C# client (KubernetesClient), configured only from the server's kubeconfig, against ConfigMaps.</summary>
[Collection(NavarchCollection.Name)]
public sealed class ConfigMapClientTests(ServerFixture server) : IAsyncLifetime
{
    private const string Ns = "e2e-client";
    private static readonly TimeSpan EventDeadline = TimeSpan.FromSeconds(15);

    private readonly Kubernetes _client = server.CreateClient();

    public Task InitializeAsync() => server.EnsureNamespaceAsync(Ns);

    public Task DisposeAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public Task ConfigMapCrud_CreateReadReplacePatchDelete() => server.WithServerLogOnFailureAsync(ConfigMapCrud_CreateReadReplacePatchDeleteBody);

    private async Task ConfigMapCrud_CreateReadReplacePatchDeleteBody()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;

        var created = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("crud", "v1", "crud"), Ns, cancellationToken: ct);
        Assert.Equal("crud", created.Metadata.Name);
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion), "create returns a resourceVersion");
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid), "create returns a uid");

        var read = await _client.CoreV1.ReadNamespacedConfigMapAsync("crud", Ns, cancellationToken: ct);
        Assert.Equal("v1", read.Data["k"]);
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);

        read.Data["k"] = "v2";
        var replaced = await _client.CoreV1.ReplaceNamespacedConfigMapAsync(read, "crud", Ns, cancellationToken: ct);
        Assert.Equal("v2", replaced.Data["k"]);
        Assert.True(long.Parse(replaced.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture)
            > long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture), "replace advances resourceVersion");

        // Replacing with the old resourceVersion must be refused (optimistic concurrency), with a 409 Status.
        var stale = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "crud", Ns, cancellationToken: ct));
        Assert.Equal(HttpStatusCode.Conflict, stale.Response.StatusCode);
        AssertStatus(stale, 409, "Conflict",
            "Operation cannot be fulfilled on configmaps \"crud\": the object has been modified; please apply your changes to the latest version and try again");

        var patch = new V1Patch("""{"data":{"extra":"yes"},"metadata":{"labels":{"patched":"true"}}}""", V1Patch.PatchType.MergePatch);
        var patched = await _client.CoreV1.PatchNamespacedConfigMapAsync(patch, "crud", Ns, cancellationToken: ct);
        Assert.Equal("v2", patched.Data["k"]);
        Assert.Equal("yes", patched.Data["extra"]);
        Assert.Equal("true", patched.Metadata.Labels["patched"]);

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("crud", Ns, cancellationToken: ct);
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedConfigMapAsync("crud", Ns, cancellationToken: ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
        AssertStatus(gone, 404, "NotFound", "configmaps \"crud\" not found");
    }

    [Fact]
    public Task ListWithLabelSelector_ReturnsOnlyMatches() => server.WithServerLogOnFailureAsync(ListWithLabelSelector_ReturnsOnlyMatchesBody);

    private async Task ListWithLabelSelector_ReturnsOnlyMatchesBody()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        foreach (var (name, group) in new[] { ("list-a", "one"), ("list-b", "one"), ("list-c", "two") })
        {
            await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap(name, "v", group), Ns, cancellationToken: ct);
        }

        var one = await _client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "group=one", cancellationToken: ct);
        Assert.Equal(["list-a", "list-b"], one.Items.Select(i => i.Metadata.Name).Order().ToArray());
        Assert.False(string.IsNullOrEmpty(one.Metadata.ResourceVersion), "a list carries the collection's resourceVersion");

        var setBased = await _client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "group in (one,two),group!=one", cancellationToken: ct);
        Assert.Equal(["list-c"], setBased.Items.Select(i => i.Metadata.Name).ToArray());
    }

    [Fact]
    public Task Watch_SeesAddedModifiedDeletedInOrder() => server.WithServerLogOnFailureAsync(Watch_SeesAddedModifiedDeletedInOrderBody);

    private async Task Watch_SeesAddedModifiedDeletedInOrderBody()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync(Ns, labelSelector: "group=watch", cancellationToken: ct);

        using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var events = new List<(WatchEventType Type, string Name, string? Value)>();
        var watchErrors = new List<Exception>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in _client.CoreV1.WatchListNamespacedConfigMapAsync(
                               Ns, labelSelector: "group=watch", resourceVersion: list.Metadata.ResourceVersion,
                               onError: e => { lock (watchErrors) { watchErrors.Add(e); } }, cancellationToken: watchStop.Token))
            {
                lock (events)
                {
                    events.Add((type, item.Metadata.Name, Value(item)));
                }
            }
        }, CancellationToken.None);

        // Starting from the list's resourceVersion means nothing made after the list is missed, even if the watch
        // request reaches the server after these writes.
        await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("watched", "v1", "watch"), Ns, cancellationToken: ct);
        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"v2"}}""", V1Patch.PatchType.MergePatch), "watched", Ns, cancellationToken: ct);
        await _client.CoreV1.DeleteNamespacedConfigMapAsync("watched", Ns, cancellationToken: ct);

        var seen = await WaitForEventsAsync(events, 3);
        await watchStop.CancelAsync();
        await IgnoreCancellationAsync(watching);

        Assert.True(seen.Length >= 3, $"expected 3 events, got [{string.Join(", ", seen)}]; errors: [{string.Join("; ", watchErrors)}]");
        Assert.Equal(
            [(WatchEventType.Added, "watched", "v1"), (WatchEventType.Modified, "watched", "v2"), (WatchEventType.Deleted, "watched", "v2")],
            seen.Take(3).ToArray());
    }

    [Fact]
    public Task WatchFromOldResourceVersion_ReplaysEventsSinceThen() => server.WithServerLogOnFailureAsync(WatchFromOldResourceVersion_ReplaysEventsSinceThenBody);

    private async Task WatchFromOldResourceVersion_ReplaysEventsSinceThenBody()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var ct = timeout.Token;
        var first = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("replay", "v1", "replay"), Ns, cancellationToken: ct);
        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"v2"}}""", V1Patch.PatchType.MergePatch), "replay", Ns, cancellationToken: ct);
        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"v3"}}""", V1Patch.PatchType.MergePatch), "replay", Ns, cancellationToken: ct);
        await _client.CoreV1.DeleteNamespacedConfigMapAsync("replay", Ns, cancellationToken: ct);

        // Every change happened before the watch starts; from the create's resourceVersion the server must replay
        // the later ones (as kube-apiserver does from its watch cache), strictly after that revision.
        using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var events = new List<(WatchEventType Type, string Name, string? Value)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, item) in _client.CoreV1.WatchListNamespacedConfigMapAsync(
                               Ns, labelSelector: "group=replay", resourceVersion: first.Metadata.ResourceVersion, cancellationToken: watchStop.Token))
            {
                lock (events)
                {
                    events.Add((type, item.Metadata.Name, Value(item)));
                }
            }
        }, CancellationToken.None);

        var seen = await WaitForEventsAsync(events, 3);
        await watchStop.CancelAsync();
        await IgnoreCancellationAsync(watching);

        Assert.Equal(
            [(WatchEventType.Modified, "replay", "v2"), (WatchEventType.Modified, "replay", "v3"), (WatchEventType.Deleted, "replay", "v3")],
            seen);
    }

    /// <summary>Polls until <paramref name="count"/> events arrived or the deadline passed; then waits a moment more so extra events show up too.</summary>
    private static async Task<(WatchEventType Type, string Name, string? Value)[]> WaitForEventsAsync(
        List<(WatchEventType Type, string Name, string? Value)> events, int count)
    {
        var stop = DateTime.UtcNow + EventDeadline;
        while (DateTime.UtcNow < stop)
        {
            lock (events)
            {
                if (events.Count >= count)
                {
                    break;
                }
            }

            await Task.Delay(50);
        }

        // Catch unexpected extra events (e.g. a duplicate) that arrive right after the expected ones.
        var settle = DateTime.UtcNow + TimeSpan.FromMilliseconds(300);
        while (DateTime.UtcNow < settle)
        {
            await Task.Delay(50);
        }

        lock (events)
        {
            return events.ToArray();
        }
    }

    private static async Task IgnoreCancellationAsync(Task watching)
    {
        try
        {
            await watching;
        }
        catch (OperationCanceledException)
        {
        }
        catch (HttpRequestException)
        {
            // Cancelling a streaming response can surface as a request error; the events are what the test checks.
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The error body is a metav1.Status with Kubernetes' code, reason and message.</summary>
    private static void AssertStatus(HttpOperationException error, int code, string reason, string message)
    {
        var status = JsonNode.Parse(error.Response.Content)!;
        Assert.Equal("Status", status["kind"]?.GetValue<string>());
        Assert.Equal("Failure", status["status"]?.GetValue<string>());
        Assert.Equal(code, status["code"]?.GetValue<int>());
        Assert.Equal(reason, status["reason"]?.GetValue<string>());
        Assert.Equal(message, status["message"]?.GetValue<string>());
    }

    private static string? Value(V1ConfigMap item) => item.Data is { } data && data.TryGetValue("k", out var value) ? value : null;

    private static V1ConfigMap ConfigMap(string name, string value, string group) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Labels = new Dictionary<string, string> { ["group"] = group } },
        Data = new Dictionary<string, string> { ["k"] = value },
    };
}
