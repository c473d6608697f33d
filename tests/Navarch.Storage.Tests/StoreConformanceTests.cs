using System.Collections.Concurrent;
using System.Text;

namespace Navarch.Storage.Tests;

/// <summary>
/// The behaviour every <see cref="IKeyValueStore"/> must share. Subclasses supply a store; all keys live under a
/// root unique to the test, so a shared server (etcd) can run the suite too. No test assumes the revision of
/// an empty store: revisions are compared with ones the test observed.
/// </summary>
public abstract class StoreConformanceTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private IKeyValueStore? _store;

    protected IKeyValueStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>A prefix no other test uses.</summary>
    protected string Root { get; } = $"/conformance/{Guid.NewGuid():N}/";

    protected abstract Task<IKeyValueStore> CreateStoreAsync();

    public virtual async Task InitializeAsync() => _store = await CreateStoreAsync();

    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Create_WhenAbsent_StoresVersionOneAtNewRevision()
    {
        var before = await Store.GetCurrentRevisionAsync();

        var result = await Store.CreateAsync(K("a"), V("one"));

        Assert.True(result.Succeeded);
        Assert.True(result.Revision > before);
        var kv = Assert.IsType<KeyValue>(result.Current);
        Assert.Equal(K("a"), kv.Key);
        Assert.Equal("one", S(kv));
        Assert.Equal(result.Revision, kv.CreateRevision);
        Assert.Equal(result.Revision, kv.ModRevision);
        Assert.Equal(1, kv.Version);
        Assert.Equal(result.Revision, await Store.GetCurrentRevisionAsync());
        AssertSame(kv, await Store.GetAsync(K("a")));
    }

    [Fact]
    public async Task Create_WhenPresent_FailsWithCurrentValueAndDoesNotAdvanceRevision()
    {
        var first = await Store.CreateAsync(K("a"), V("one"));

        var second = await Store.CreateAsync(K("a"), V("two"));

        Assert.False(second.Succeeded);
        AssertSame(first.Current, second.Current);
        Assert.Equal(first.Revision, second.Revision);
        Assert.Equal(first.Revision, await Store.GetCurrentRevisionAsync());
        Assert.Equal("one", S(await Store.GetAsync(K("a"))));
    }

    [Fact]
    public async Task Update_WithCurrentModRevision_BumpsVersionAndKeepsCreateRevision()
    {
        var created = await Store.CreateAsync(K("a"), V("one"));

        var updated = await Store.UpdateAsync(K("a"), V("two"), created.Revision);

        Assert.True(updated.Succeeded);
        Assert.True(updated.Revision > created.Revision);
        var kv = Assert.IsType<KeyValue>(updated.Current);
        Assert.Equal("two", S(kv));
        Assert.Equal(created.Revision, kv.CreateRevision);
        Assert.Equal(updated.Revision, kv.ModRevision);
        Assert.Equal(2, kv.Version);
        AssertSame(kv, await Store.GetAsync(K("a")));
    }

    [Fact]
    public async Task Update_WithStaleModRevision_FailsWithCurrentValue()
    {
        var created = await Store.CreateAsync(K("a"), V("one"));
        var updated = await Store.UpdateAsync(K("a"), V("two"), created.Revision);

        var stale = await Store.UpdateAsync(K("a"), V("three"), created.Revision);

        Assert.False(stale.Succeeded);
        AssertSame(updated.Current, stale.Current);
        Assert.Equal(updated.Revision, stale.Revision);
        Assert.Equal("two", S(await Store.GetAsync(K("a"))));
    }

    [Fact]
    public async Task Update_WhenAbsent_Fails()
    {
        var other = await Store.CreateAsync(K("other"), V("x"));

        var result = await Store.UpdateAsync(K("missing"), V("x"), other.Revision);

        Assert.False(result.Succeeded);
        Assert.Null(result.Current);
        Assert.Null(await Store.GetAsync(K("missing")));
    }

    [Fact]
    public async Task Delete_WithCurrentModRevision_RemovesKey()
    {
        var created = await Store.CreateAsync(K("a"), V("one"));

        var deleted = await Store.DeleteAsync(K("a"), created.Revision);

        Assert.True(deleted.Succeeded);
        Assert.Null(deleted.Current);
        Assert.True(deleted.Revision > created.Revision);
        Assert.Equal(deleted.Revision, await Store.GetCurrentRevisionAsync());
        Assert.Null(await Store.GetAsync(K("a")));
    }

    [Fact]
    public async Task Delete_WithStaleModRevision_FailsAndKeepsKey()
    {
        var created = await Store.CreateAsync(K("a"), V("one"));
        var updated = await Store.UpdateAsync(K("a"), V("two"), created.Revision);

        var result = await Store.DeleteAsync(K("a"), created.Revision);

        Assert.False(result.Succeeded);
        AssertSame(updated.Current, result.Current);
        Assert.Equal("two", S(await Store.GetAsync(K("a"))));
    }

    [Fact]
    public async Task Delete_Unconditional_RemovesWhateverIsThere()
    {
        var created = await Store.CreateAsync(K("a"), V("one"));
        await Store.UpdateAsync(K("a"), V("two"), created.Revision);

        var result = await Store.DeleteAsync(K("a"));

        Assert.True(result.Succeeded);
        Assert.Null(await Store.GetAsync(K("a")));
    }

    [Fact]
    public async Task Delete_WhenAbsent_Fails()
    {
        var result = await Store.DeleteAsync(K("missing"));

        Assert.False(result.Succeeded);
        Assert.Null(result.Current);
    }

    [Fact]
    public async Task Create_AfterDelete_StartsNewLifeAtVersionOne()
    {
        var first = await Store.CreateAsync(K("a"), V("one"));
        await Store.DeleteAsync(K("a"));

        var second = await Store.CreateAsync(K("a"), V("again"));

        Assert.True(second.Succeeded);
        var kv = Assert.IsType<KeyValue>(second.Current);
        Assert.Equal(1, kv.Version);
        Assert.Equal(second.Revision, kv.CreateRevision);
        Assert.True(kv.CreateRevision > first.Revision);
    }

    [Fact]
    public async Task Writes_AdvanceRevisionByOneEach()
    {
        var a = await Store.CreateAsync(K("a"), V("1"));
        var b = await Store.UpdateAsync(K("a"), V("2"), a.Revision);
        var c = await Store.CreateAsync(K("b"), V("3"));
        var d = await Store.DeleteAsync(K("a"));

        Assert.Equal([a.Revision + 1, a.Revision + 2, a.Revision + 3], new[] { b.Revision, c.Revision, d.Revision });
    }

    [Fact]
    public async Task Get_AtOldRevision_ReturnsValueAsOfThen()
    {
        var created = await Store.CreateAsync(K("a"), V("one"));
        var updated = await Store.UpdateAsync(K("a"), V("two"), created.Revision);
        var deleted = await Store.DeleteAsync(K("a"));
        var other = await Store.CreateAsync(K("b"), V("b"));

        Assert.Equal("one", S(await Store.GetAsync(K("a"), created.Revision)));
        var atUpdate = await Store.GetAsync(K("a"), updated.Revision);
        Assert.Equal("two", S(atUpdate));
        Assert.Equal(2, atUpdate!.Version);
        Assert.Null(await Store.GetAsync(K("a"), deleted.Revision));
        Assert.Null(await Store.GetAsync(K("b"), deleted.Revision));
        Assert.Equal("b", S(await Store.GetAsync(K("b"), other.Revision)));
    }

    [Fact]
    public async Task Get_AtFutureRevision_ThrowsFutureRevision()
    {
        var created = await Store.CreateAsync(K("a"), V("one"));

        var ex = await Assert.ThrowsAsync<FutureRevisionException>(() => Store.GetAsync(K("a"), created.Revision + 1000));
        Assert.Equal(created.Revision + 1000, ex.RequestedRevision);
        await Assert.ThrowsAsync<FutureRevisionException>(() => Store.RangeAsync(new RangeRequest(Root, Revision: created.Revision + 1000)));
    }

    [Fact]
    public async Task Range_ByPrefix_ReturnsOnlyKeysUnderPrefixInOrder()
    {
        await Store.CreateAsync(K("pods/b"), V("b"));
        await Store.CreateAsync(K("pods/a"), V("a"));
        await Store.CreateAsync(K("pods/c"), V("c"));
        await Store.CreateAsync(K("podsx/a"), V("x"));
        await Store.CreateAsync(K("pod"), V("p"));
        var deleted = await Store.CreateAsync(K("pods/d"), V("d"));
        await Store.DeleteAsync(K("pods/d"), deleted.Revision);
        var current = await Store.GetCurrentRevisionAsync();

        var result = await Store.RangeAsync(new RangeRequest(K("pods/")));

        Assert.Equal([K("pods/a"), K("pods/b"), K("pods/c")], result.Items.Select(i => i.Key));
        Assert.Equal(["a", "b", "c"], result.Items.Select(S));
        Assert.Equal(current, result.Revision);
        Assert.False(result.More);
        Assert.Equal(0, result.Remaining);
    }

    [Fact]
    public async Task Range_WithLimit_ReportsMoreAndRemainingAndPagesWithStartAfter()
    {
        for (var i = 0; i < 7; i++)
        {
            await Store.CreateAsync(K($"items/{i:D2}"), V($"{i}"));
        }

        var first = await Store.RangeAsync(new RangeRequest(K("items/"), Limit: 3));
        Assert.Equal([K("items/00"), K("items/01"), K("items/02")], first.Items.Select(i => i.Key));
        Assert.True(first.More);
        Assert.Equal(4, first.Remaining);

        var second = await Store.RangeAsync(new RangeRequest(K("items/"), Limit: 3, StartAfter: first.Items[^1].Key, Revision: first.Revision));
        Assert.Equal([K("items/03"), K("items/04"), K("items/05")], second.Items.Select(i => i.Key));
        Assert.True(second.More);
        Assert.Equal(1, second.Remaining);

        var third = await Store.RangeAsync(new RangeRequest(K("items/"), Limit: 3, StartAfter: second.Items[^1].Key, Revision: first.Revision));
        Assert.Equal([K("items/06")], third.Items.Select(i => i.Key));
        Assert.False(third.More);
        Assert.Equal(0, third.Remaining);

        var exact = await Store.RangeAsync(new RangeRequest(K("items/"), Limit: 7));
        Assert.Equal(7, exact.Items.Count);
        Assert.False(exact.More);
    }

    [Fact]
    public async Task Range_AtOldRevision_ReturnsStateAsOfThen()
    {
        var a = await Store.CreateAsync(K("r/a"), V("a1"));
        var b = await Store.CreateAsync(K("r/b"), V("b1"));
        await Store.CreateAsync(K("r/c"), V("c1"));
        var snapshot = await Store.GetCurrentRevisionAsync();
        await Store.UpdateAsync(K("r/a"), V("a2"), a.Revision);
        await Store.DeleteAsync(K("r/b"), b.Revision);
        await Store.CreateAsync(K("r/d"), V("d1"));

        var old = await Store.RangeAsync(new RangeRequest(K("r/"), Revision: snapshot));
        Assert.Equal(snapshot, old.Revision);
        Assert.Equal([K("r/a"), K("r/b"), K("r/c")], old.Items.Select(i => i.Key));
        Assert.Equal(["a1", "b1", "c1"], old.Items.Select(S));

        var paged = await Store.RangeAsync(new RangeRequest(K("r/"), Limit: 2, Revision: snapshot));
        Assert.Equal([K("r/a"), K("r/b")], paged.Items.Select(i => i.Key));
        Assert.True(paged.More);
        Assert.Equal(1, paged.Remaining);

        var now = await Store.RangeAsync(new RangeRequest(K("r/")));
        Assert.Equal(["a2", "c1", "d1"], now.Items.Select(S));
    }

    [Fact]
    public async Task Count_CountsLiveKeysUnderPrefix()
    {
        await Store.CreateAsync(K("c/a"), V("a"));
        await Store.CreateAsync(K("c/b"), V("b"));
        await Store.CreateAsync(K("c/c"), V("c"));
        await Store.CreateAsync(K("cx/a"), V("x"));
        await Store.DeleteAsync(K("c/b"));

        Assert.Equal(2, await Store.CountAsync(K("c/")));
        Assert.Equal(0, await Store.CountAsync(K("none/")));
    }

    [Fact]
    public async Task Compact_KeepsLatestValuesAndRejectsOlderReads()
    {
        var a = await Store.CreateAsync(K("k/a"), V("a1"));
        var a2 = await Store.UpdateAsync(K("k/a"), V("a2"), a.Revision);
        var b = await Store.CreateAsync(K("k/b"), V("b1"));
        await Store.DeleteAsync(K("k/b"), b.Revision);
        var c = await Store.CreateAsync(K("k/c"), V("c1"));
        var compactAt = c.Revision;
        var after = await Store.UpdateAsync(K("k/c"), V("c2"), c.Revision);

        await Store.CompactAsync(compactAt);

        Assert.Equal(compactAt, await Store.GetCompactRevisionAsync());
        var ex = await Assert.ThrowsAsync<CompactedException>(() => Store.GetAsync(K("k/a"), a.Revision));
        Assert.Equal(compactAt, ex.CompactRevision);
        await Assert.ThrowsAsync<CompactedException>(() => Store.RangeAsync(new RangeRequest(K("k/"), Revision: compactAt - 1)));

        var atCompact = await Store.RangeAsync(new RangeRequest(K("k/"), Revision: compactAt));
        Assert.Equal(["a2", "c1"], atCompact.Items.Select(S));
        Assert.Equal(a2.Revision, atCompact.Items[0].ModRevision);
        Assert.Equal(2, atCompact.Items[0].Version);
        var now = await Store.RangeAsync(new RangeRequest(K("k/")));
        Assert.Equal(["a2", "c2"], now.Items.Select(S));
        Assert.Null(await Store.GetAsync(K("k/b")));
        Assert.Equal(after.Revision, (await Store.GetAsync(K("k/c")))!.ModRevision);
        Assert.Equal(2, await Store.CountAsync(K("k/")));

        var more = await Store.UpdateAsync(K("k/a"), V("a3"), a2.Revision);
        Assert.True(more.Succeeded);
        Assert.Equal(3, more.Current!.Version);
        Assert.Equal(a.Revision, more.Current.CreateRevision);
    }

    [Fact]
    public async Task Compact_AtFutureRevision_ThrowsFutureRevision()
    {
        var created = await Store.CreateAsync(K("a"), V("one"));

        await Assert.ThrowsAsync<FutureRevisionException>(() => Store.CompactAsync(created.Revision + 1000));
    }

    [Fact]
    public async Task Watch_FromCompactedRevision_ThrowsCompacted()
    {
        var first = await Store.CreateAsync(K("w/a"), V("1"));
        var second = await Store.UpdateAsync(K("w/a"), V("2"), first.Revision);
        var last = await Store.UpdateAsync(K("w/a"), V("3"), second.Revision);
        await Store.CompactAsync(last.Revision);

        await Assert.ThrowsAsync<CompactedException>(() => CollectAsync(K("w/"), first.Revision - 1, 1));

        // Starting exactly at the compact revision is still allowed. (etcd may drop that event's previous
        // value, as it compacts the revision before, so PrevKv is not checked here.)
        var events = await CollectAsync(K("w/"), last.Revision - 1, 1);
        Assert.Equal(last.Revision, events[0].Revision);
        Assert.Equal("3", S(events[0].Kv));
    }

    [Fact]
    public async Task Watch_FromRevision_ReplaysChangesInOrderWithPreviousValues()
    {
        var start = await Store.GetCurrentRevisionAsync();
        var created = await Store.CreateAsync(K("w/a"), V("1"));
        var updated = await Store.UpdateAsync(K("w/a"), V("2"), created.Revision);
        var deleted = await Store.DeleteAsync(K("w/a"), updated.Revision);

        var events = await CollectAsync(K("w/"), start, 3);

        Assert.Equal([created.Revision, updated.Revision, deleted.Revision], events.Select(e => e.Revision));
        Assert.Equal(WatchEventType.Put, events[0].Type);
        Assert.True(events[0].IsCreate);
        AssertSame(created.Current, events[0].Kv);
        Assert.Null(events[0].PrevKv);

        Assert.Equal(WatchEventType.Put, events[1].Type);
        Assert.False(events[1].IsCreate);
        AssertSame(updated.Current, events[1].Kv);
        AssertSame(created.Current, events[1].PrevKv);

        Assert.Equal(WatchEventType.Delete, events[2].Type);
        Assert.Equal(K("w/a"), events[2].Kv.Key);
        Assert.Equal(deleted.Revision, events[2].Kv.ModRevision);
        Assert.True(events[2].Kv.Value.IsEmpty);
        AssertSame(updated.Current, events[2].PrevKv);
    }

    [Fact]
    public async Task Watch_FromCurrentRevision_DeliversLaterChanges()
    {
        var start = await Store.GetCurrentRevisionAsync();
        var watching = CollectAsync(K("live/"), start, 2);

        var a = await Store.CreateAsync(K("live/a"), V("a"));
        var b = await Store.UpdateAsync(K("live/a"), V("b"), a.Revision);

        var events = await watching;
        Assert.Equal([a.Revision, b.Revision], events.Select(e => e.Revision));
    }

    [Fact]
    public async Task Watch_OfPrefix_DoesNotSeeOtherPrefixes()
    {
        var start = await Store.GetCurrentRevisionAsync();
        await Store.CreateAsync(K("podsx/a"), V("other"));
        await Store.CreateAsync(K("pod"), V("other"));
        var mine = await Store.CreateAsync(K("pods/a"), V("mine"));
        var watching = CollectAsync(K("pods/"), start, 2);
        await Store.CreateAsync(K("podsx/b"), V("other"));
        var mine2 = await Store.CreateAsync(K("pods/b"), V("mine"));

        var events = await watching;

        Assert.Equal([mine.Revision, mine2.Revision], events.Select(e => e.Revision));
        Assert.All(events, e => Assert.StartsWith(K("pods/"), e.Kv.Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Watch_ReplayThenLive_UnderConcurrentWrites_HasNoGapAndNoDuplicate()
    {
        var prefix = K("hand/");
        var acked = new ConcurrentBag<long>();
        for (var i = 0; i < 100; i++)
        {
            acked.Add((await Store.CreateAsync($"{prefix}pre{i:D3}", V("x"))).Revision);
        }

        var start = acked.Order().ElementAt(30);
        using var stopWriters = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                acked.Add((await Store.CreateAsync($"{prefix}w{w}-{i:D3}", V("x"))).Revision);
                if (i % 50 == 0)
                {
                    await Store.CreateAsync(K($"elsewhere/{w}-{i}"), V("noise"));
                }
            }
        })).ToList();

        // Several watchers join at different moments while the writers run.
        var watchers = new List<Task<List<WatchEvent>>>();
        var sentinel = $"{prefix}zz-end";
        for (var i = 0; i < 3; i++)
        {
            watchers.Add(CollectUntilAsync(prefix, start, sentinel));
            await Task.Yield();
        }

        await Task.WhenAll(writers);
        watchers.Add(CollectUntilAsync(prefix, start, sentinel));
        var end = await Store.CreateAsync(sentinel, V("end"));
        acked.Add(end.Revision);

        var expected = acked.Where(r => r > start).Order().ToList();
        foreach (var watcher in watchers)
        {
            var events = await watcher;
            Assert.Equal(expected, events.Select(e => e.Revision));
        }
    }

    [Fact]
    public async Task Watch_WithConsumerFarBehind_StillDeliversEveryChangeInOrder()
    {
        var prefix = K("slow/");
        var start = await Store.GetCurrentRevisionAsync();
        var first = await Store.CreateAsync($"{prefix}first", V("x"));
        using var cts = new CancellationTokenSource(Timeout);
        await using var watch = Store.WatchAsync(prefix, start, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal(first.Revision, watch.Current.Revision);

        // Wait for the next change before it is written, so the watch is following live changes.
        var waiting = watch.MoveNextAsync();
        var second = await Store.CreateAsync($"{prefix}second", V("x"));
        Assert.True(await waiting);
        Assert.Equal(second.Revision, watch.Current.Revision);

        // More changes than a live buffer is likely to hold, while the watcher reads nothing.
        var acked = new ConcurrentBag<long> { second.Revision };
        await Task.WhenAll(Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                acked.Add((await Store.CreateAsync($"{prefix}{w}-{i:D3}", V("x"))).Revision);
            }
        })));

        var expected = acked.Order().Skip(1).ToList();
        var received = new List<long>();
        while (received.Count < expected.Count && await watch.MoveNextAsync())
        {
            received.Add(watch.Current.Revision);
        }

        Assert.Equal(expected, received);
    }

    [Fact]
    public async Task ConcurrentWriters_GetDistinctIncreasingRevisions()
    {
        var before = await Store.GetCurrentRevisionAsync();
        var perWriter = await Task.WhenAll(Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
        {
            var revisions = new List<long>();
            var created = await Store.CreateAsync(K($"cc/{w}"), V("0"));
            Assert.True(created.Succeeded);
            revisions.Add(created.Revision);
            for (var i = 1; i < 4; i++)
            {
                var updated = await Store.UpdateAsync(K($"cc/{w}"), V($"{i}"), revisions[^1]);
                Assert.True(updated.Succeeded);
                revisions.Add(updated.Revision);
            }

            return revisions;
        })));

        foreach (var revisions in perWriter)
        {
            Assert.Equal(revisions.Order(), revisions);
        }

        var all = perWriter.SelectMany(r => r).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all, r => Assert.True(r > before));
        Assert.True(await Store.GetCurrentRevisionAsync() >= all.Max());
        Assert.Equal(64, await Store.CountAsync(K("cc/")));
        var range = await Store.RangeAsync(new RangeRequest(K("cc/")));
        Assert.All(range.Items, kv => Assert.Equal(4, kv.Version));
    }

    protected string K(string name) => Root + name;

    protected static byte[] V(string text) => Encoding.UTF8.GetBytes(text);

    protected static string? S(KeyValue? kv) => kv is null ? null : Encoding.UTF8.GetString(kv.Value.Span);

    protected static void AssertSame(KeyValue? expected, KeyValue? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Value.ToArray(), actual.Value.ToArray());
        Assert.Equal(expected.CreateRevision, actual.CreateRevision);
        Assert.Equal(expected.ModRevision, actual.ModRevision);
        Assert.Equal(expected.Version, actual.Version);
    }

    /// <summary>The first <paramref name="count"/> events of a watch, failing after a deadline.</summary>
    protected async Task<List<WatchEvent>> CollectAsync(string prefix, long afterRevision, int count)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var events = new List<WatchEvent>();
        try
        {
            await foreach (var watchEvent in Store.WatchAsync(prefix, afterRevision, cts.Token))
            {
                events.Add(watchEvent);
                if (events.Count == count)
                {
                    return events;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
        }

        Assert.Fail($"The watch of {prefix} after {afterRevision} delivered {events.Count} of {count} events.");
        return events;
    }

    private async Task<List<WatchEvent>> CollectUntilAsync(string prefix, long afterRevision, string lastKey)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var events = new List<WatchEvent>();
        try
        {
            await foreach (var watchEvent in Store.WatchAsync(prefix, afterRevision, cts.Token))
            {
                events.Add(watchEvent);
                if (watchEvent.Kv.Key == lastKey)
                {
                    return events;
                }
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
        }

        Assert.Fail($"The watch of {prefix} after {afterRevision} never reached {lastKey} ({events.Count} events).");
        return events;
    }
}
