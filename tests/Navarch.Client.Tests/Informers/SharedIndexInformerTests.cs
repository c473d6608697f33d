using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Api.Labels;
using Navarch.Client.Informers;
using Navarch.Client.Tests.Support;

namespace Navarch.Client.Tests.Informers;

[Collection(ServerCollection.Name)]
public sealed class SharedIndexInformerTests(ServerFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ListThenWatch_DeliversAddsUpdatesDeletesInOrder()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Admin.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("before"), ns);
        using var cts = new CancellationTokenSource(Deadline);
        await using var factory = new SharedInformerFactory(fixture.Admin, NullLoggerFactory.Instance, TimeProvider.System);
        var informer = factory.For<V1ConfigMap>(ns);
        var recorder = new RecordingHandler<V1ConfigMap>();
        informer.AddEventHandler(recorder);
        factory.Start(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);

        await fixture.Admin.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("a"), ns, cancellationToken: cts.Token);
        await fixture.Admin.CoreV1.ReplaceNamespacedConfigMapAsync(Objects.ConfigMap("a", "changed"), "a", ns, cancellationToken: cts.Token);
        await fixture.Admin.CoreV1.DeleteNamespacedConfigMapAsync("before", ns, cancellationToken: cts.Token);
        await fixture.Admin.CoreV1.DeleteNamespacedConfigMapAsync("a", ns, cancellationToken: cts.Token);

        await Eventually.TrueAsync(() => recorder.Events.Count >= 5, "five events");
        Assert.Equal(
            [$"add {ns}/before", $"add {ns}/a", $"update {ns}/a", $"delete {ns}/before", $"delete {ns}/a"],
            recorder.Events);
        Assert.Equal(1, recorder.InitialAdds);
        Assert.Empty(informer.Lister.List(ns));
    }

    [Fact]
    public async Task HasSynced_OnlyAfterTheInitialListIsCached()
    {
        var ns = await fixture.NewNamespaceAsync();
        for (var i = 0; i < 5; i++)
        {
            await fixture.Admin.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("cm" + i), ns);
        }

        using var cts = new CancellationTokenSource(Deadline);
        var informer = new SharedIndexInformer<V1ConfigMap>(fixture.Admin, NullLoggerFactory.Instance, TimeProvider.System, new InformerOptions { Namespace = ns });
        var recorder = new RecordingHandler<V1ConfigMap>();
        var registration = informer.AddEventHandler(recorder);
        Assert.False(informer.HasSynced);
        Assert.False(registration.HasSynced);

        var run = informer.RunAsync(cts.Token);
        await informer.WaitForSyncAsync(cts.Token);
        Assert.Equal(5, informer.Indexer.Count);
        await registration.WaitForSyncAsync(cts.Token);
        Assert.Equal(5, recorder.InitialAdds);

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task AddEventHandler_AfterSync_GetsAnAddForEveryCachedObject()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Admin.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("x"), ns);
        await fixture.Admin.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("y"), ns);
        using var cts = new CancellationTokenSource(Deadline);
        await using var factory = new SharedInformerFactory(fixture.Admin, NullLoggerFactory.Instance, TimeProvider.System);
        var informer = factory.For<V1ConfigMap>(ns);
        factory.Start(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);

        var late = new RecordingHandler<V1ConfigMap>();
        var registration = informer.AddEventHandler(late);
        await registration.WaitForSyncAsync(cts.Token);
        Assert.Equal([$"add {ns}/x", $"add {ns}/y"], late.Events.Order());

        await fixture.Admin.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("z"), ns, cancellationToken: cts.Token);
        await Eventually.TrueAsync(() => late.Saw($"add {ns}/z"), "the late handler sees new objects");
    }

    [Fact]
    public async Task CustomIndex_PodsByNodeName_FollowsUpdates()
    {
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p1", "node-a"), ns);
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(Objects.Pod("p2"), ns);
        using var cts = new CancellationTokenSource(Deadline);
        await using var factory = new SharedInformerFactory(fixture.Admin, NullLoggerFactory.Instance, TimeProvider.System);
        var informer = factory.For<V1Pod>(ns);
        informer.Indexer.AddIndex("nodeName", p => p.Spec?.NodeName);
        factory.Start(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);
        Assert.Equal(["p1"], informer.Indexer.ByIndex("nodeName", "node-a").Select(p => p.Metadata.Name));

        // The binding subresource sets spec.nodeName, as the scheduler will.
        await fixture.Admin.CoreV1.CreateNamespacedPodBindingAsync(
            new V1Binding { Metadata = new V1ObjectMeta { Name = "p2" }, Target = new V1ObjectReference { Kind = "Node", Name = "node-a" } },
            "p2",
            ns,
            cancellationToken: cts.Token);
        await Eventually.TrueAsync(() => informer.Indexer.ByIndex("nodeName", "node-a").Count == 2, "p2 indexed under node-a");

        await fixture.Admin.CoreV1.DeleteNamespacedPodAsync("p1", ns, gracePeriodSeconds: 0, cancellationToken: cts.Token);
        await Eventually.TrueAsync(
            () => informer.Indexer.ByIndex("nodeName", "node-a").Select(p => p.Metadata.Name).SequenceEqual(["p2"]),
            "p1 leaves the index",
            Deadline);
        Assert.Equal(["p2"], informer.Indexer.ByIndex(Indexer<V1Pod>.NamespaceIndex, ns).Select(p => p.Metadata.Name));
    }

    [Fact]
    public async Task For_SameKindAndFilters_SharesOneInformerAndOneWatch()
    {
        var ns = await fixture.NewNamespaceAsync();
        var requests = new FaultHandler();
        using var client = fixture.Server.AdminClient(requests);
        using var cts = new CancellationTokenSource(Deadline);
        await using var factory = new SharedInformerFactory(client, NullLoggerFactory.Instance, TimeProvider.System);

        var first = factory.For<V1Pod>(ns);
        var second = factory.For<V1Pod>(ns);
        var other = factory.For<V1Pod>(ns, labelSelector: "app=web");
        Assert.Same(first, second);
        Assert.NotSame(first, other);

        var one = new RecordingHandler<V1Pod>();
        var two = new RecordingHandler<V1Pod>();
        first.AddEventHandler(one);
        second.AddEventHandler(two);
        factory.Start(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(Objects.Pod("shared"), ns, cancellationToken: cts.Token);
        await Eventually.TrueAsync(() => one.Saw($"add {ns}/shared") && two.Saw($"add {ns}/shared"), "both consumers see the pod");

        var podWatches = requests.Count(r => r.Contains($"/namespaces/{ns}/pods?watch=true", StringComparison.Ordinal) && !r.Contains("labelSelector", StringComparison.Ordinal));
        Assert.Equal(1, podWatches);
    }

    [Fact]
    public async Task List_MoreThanOnePage_CachesEveryObject()
    {
        var ns = await fixture.NewNamespaceAsync();
        const int count = Reflector<V1ConfigMap>.PageSize + 120;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (i, ct) => await fixture.Admin.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap($"cm-{i:D4}"), ns, cancellationToken: ct));

        var requests = new FaultHandler();
        using var client = fixture.Server.AdminClient(requests);
        using var cts = new CancellationTokenSource(Deadline);
        await using var factory = new SharedInformerFactory(client, NullLoggerFactory.Instance, TimeProvider.System);
        var informer = factory.For<V1ConfigMap>(ns);
        factory.Start(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);

        Assert.Equal(count, informer.Lister.List(ns).Count);
        Assert.Equal("ConfigMap", informer.Lister.Get(ns, "cm-0000")?.Kind);
        var pages = requests.Count(r => r.Contains("limit=500", StringComparison.Ordinal));
        Assert.Equal(2, pages);
        Assert.Single(requests.Requests, r => r.Contains("continue=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lister_FiltersByNamespaceAndLabels()
    {
        var ns = await fixture.NewNamespaceAsync();
        var web = new Dictionary<string, string> { ["app"] = "web" };
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(Objects.Pod("w1", labels: web), ns);
        await fixture.Admin.CoreV1.CreateNamespacedPodAsync(Objects.Pod("db", labels: new Dictionary<string, string> { ["app"] = "db" }), ns);
        using var cts = new CancellationTokenSource(Deadline);
        await using var factory = new SharedInformerFactory(fixture.Admin, NullLoggerFactory.Instance, TimeProvider.System);
        var informer = factory.For<V1Pod>();
        factory.Start(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);

        Assert.Equal(["w1"], informer.Lister.List(ns, LabelSelector.Parse("app=web")).Select(p => p.Metadata.Name));
        Assert.Equal(2, informer.Lister.List(ns).Count);
        Assert.Equal("db", informer.Lister.Get(ns, "db")?.Metadata.Name);
        Assert.Null(informer.Lister.Get("db"));
        Assert.Contains(informer.Lister.List(LabelSelector.Parse("app=web")), p => p.Metadata.Name == "w1");
    }

    [Fact]
    public async Task ClusterScopedKind_IsKeyedByName()
    {
        var ns = await fixture.NewNamespaceAsync();
        using var cts = new CancellationTokenSource(Deadline);
        await using var factory = new SharedInformerFactory(fixture.Admin, NullLoggerFactory.Instance, TimeProvider.System);
        var informer = factory.For<V1Namespace>();
        factory.Start(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);

        Assert.Equal(ns, informer.Lister.Get(ns)?.Metadata.Name);
        Assert.Equal(ns, informer.Indexer.Get(ns)?.Metadata.Name);
    }
}
