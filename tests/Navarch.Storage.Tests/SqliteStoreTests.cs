using System.Text;
using Navarch.Storage.Sqlite;

namespace Navarch.Storage.Tests;

public sealed class SqliteStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string DbPath => _directory.File("db/state.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Reopen_KeepsDataHistoryAndCompactionAndContinuesRevision()
    {
        long last;
        long compactedAt;
        long updatedAt;
        await using (var store = await SqliteStore.OpenAsync(DbPath))
        {
            var a = await store.CreateAsync("/r/a", V("a1"));
            await store.CreateAsync("/r/b", V("b1"));
            compactedAt = (await store.DeleteAsync("/r/b")).Revision;
            updatedAt = (await store.UpdateAsync("/r/a", V("a2"), a.Revision)).Revision;
            await store.CompactAsync(compactedAt);
            last = (await store.CreateAsync("/r/c", V("c1"))).Revision;
        }

        await using (var reopened = await SqliteStore.OpenAsync(DbPath))
        {
            Assert.Equal(last, await reopened.GetCurrentRevisionAsync());
            Assert.Equal(compactedAt, await reopened.GetCompactRevisionAsync());
            var items = (await reopened.RangeAsync(new RangeRequest("/r/"))).Items;
            Assert.Equal(["/r/a", "/r/c"], items.Select(i => i.Key));
            Assert.Equal(updatedAt, items[0].ModRevision);
            Assert.Equal(2, items[0].Version);
            Assert.Equal("a1", S(await reopened.GetAsync("/r/a", compactedAt)));
            await Assert.ThrowsAsync<CompactedException>(() => reopened.GetAsync("/r/a", compactedAt - 1));

            var next = await reopened.CreateAsync("/r/d", V("d1"));
            Assert.Equal(last + 1, next.Revision);
        }
    }

    [Fact]
    public async Task Reopen_AfterDeletingNewestKeyAndCompactingEverything_RevisionStillMovesForward()
    {
        long last;
        await using (var store = await SqliteStore.OpenAsync(DbPath))
        {
            await store.CreateAsync("/x", V("x"));
            last = (await store.DeleteAsync("/x")).Revision;
            await store.CompactAsync(last);
        }

        await using var reopened = await SqliteStore.OpenAsync(DbPath);
        Assert.Equal(last, await reopened.GetCurrentRevisionAsync());
        Assert.Equal(last + 1, (await reopened.CreateAsync("/x", V("again"))).Revision);
    }

    [Fact]
    public async Task ConcurrentWriters_ShareCommits()
    {
        await using var store = await SqliteStore.OpenAsync(DbPath);
        var before = store.CommitCount;

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => store.CreateAsync($"/g/{i}", V("x"))));

        Assert.All(results, r => Assert.True(r.Succeeded));
        var commits = store.CommitCount - before;
        Assert.InRange(commits, 1, 63);
    }

    [Fact]
    public async Task Write_WithCancelledToken_IsNotApplied()
    {
        await using var store = await SqliteStore.OpenAsync(DbPath);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.CreateAsync("/c", V("x"), cts.Token));

        Assert.Null(await store.GetAsync("/c"));
    }

    [Fact]
    public async Task Write_AfterDispose_ThrowsObjectDisposed()
    {
        var store = await SqliteStore.OpenAsync(DbPath);
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.CreateAsync("/d", V("x")));
    }

    private static byte[] V(string text) => Encoding.UTF8.GetBytes(text);

    private static string? S(KeyValue? kv) => kv is null ? null : Encoding.UTF8.GetString(kv.Value.Span);
}
