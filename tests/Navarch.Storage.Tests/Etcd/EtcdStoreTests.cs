using System.Text;
using Navarch.Storage.Etcd;

namespace Navarch.Storage.Tests.Etcd;

/// <summary>Behaviour specific to the etcd backend: surviving etcd restarts, other clients, several endpoints.</summary>
public sealed class EtcdStoreTests : IAsyncLifetime
{
    // Each test gets its own etcd: these tests kill it, restart it and compact its whole history.
    private readonly EtcdFixture _etcd = new();
    private EtcdStore? _store;

    private EtcdFixture Etcd => _etcd;

    private EtcdStore Store => _store ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async Task InitializeAsync()
    {
        await _etcd.InitializeAsync();
        _store = await EtcdStore.ConnectAsync([_etcd.Endpoint]);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        await _etcd.DisposeAsync();
    }

    [Fact]
    public async Task Watch_AcrossEtcdRestart_ResumesWithoutLosingOrRepeatingEvents()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var start = (await Store.CreateAsync("/registry/pods/default/a", Value("a"), timeout.Token)).Revision;
        await using var watch = Store.WatchAsync("/registry/pods/", start, timeout.Token).GetAsyncEnumerator(timeout.Token);

        await Store.CreateAsync("/registry/pods/default/b", Value("b"), timeout.Token);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal("/registry/pods/default/b", watch.Current.Kv.Key);

        // The watch stream is open and idle when etcd dies; the writes after the restart race the watch's reconnect,
        // so some are replayed from history and some arrive live: either way each must come exactly once.
        await Etcd.RestartAsync(timeout.Token);
        var written = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            written.Add((await RetryUntilAvailableAsync(() => Store.CreateAsync($"/registry/pods/default/c{i}", Value("c"), timeout.Token), timeout.Token)).Revision);
        }

        var seen = new List<long>();
        while (seen.Count < written.Count)
        {
            Assert.True(await watch.MoveNextAsync());
            Assert.Equal(WatchEventType.Put, watch.Current.Type);
            seen.Add(watch.Current.Revision);
        }

        Assert.Equal(written, seen);
    }

    [Fact]
    public async Task GetCompactRevision_AfterAnotherClientCompacts_FindsTheRevision()
    {
        long compactAt = 0;
        for (var i = 0; i < 20; i++)
        {
            var result = await Store.CreateAsync($"/registry/configmaps/default/c{i}", Value("x"));
            if (i == 12)
            {
                compactAt = result.Revision;
            }
        }

        await using (var other = await EtcdStore.ConnectAsync([Etcd.Endpoint]))
        {
            await other.CompactAsync(compactAt);
        }

        Assert.Equal(compactAt, await Store.GetCompactRevisionAsync());
        var error = await Assert.ThrowsAsync<CompactedException>(() => Store.GetAsync("/registry/configmaps/default/c0", compactAt - 1));
        Assert.Equal(compactAt, error.CompactRevision);
        Assert.NotNull(await Store.GetAsync("/registry/configmaps/default/c0", compactAt));
    }

    [Fact]
    public async Task Watch_FromCompactedRevisionOfAnotherClient_ThrowsCompactedWithItsRevision()
    {
        var first = await Store.CreateAsync("/registry/secrets/default/s", Value("1"));
        var second = await Store.UpdateAsync("/registry/secrets/default/s", Value("2"), first.Revision);
        await using (var other = await EtcdStore.ConnectAsync([Etcd.Endpoint]))
        {
            await other.CompactAsync(second.Revision);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<CompactedException>(async () =>
        {
            await foreach (var _ in Store.WatchAsync("/registry/secrets/", first.Revision - 1, timeout.Token))
            {
            }
        });
        Assert.Equal(second.Revision, error.CompactRevision);
        Assert.Equal(first.Revision, error.RequestedRevision);
    }

    [Fact]
    public async Task Connect_WithSeveralEndpoints_ServesRequests()
    {
        await using var store = await EtcdStore.ConnectAsync([Etcd.Endpoint, Etcd.Endpoint]);

        var created = await store.CreateAsync("/registry/nodes/n1", Value("n1"));

        Assert.True(created.Succeeded);
        Assert.Equal("n1", Encoding.UTF8.GetString((await Store.GetAsync("/registry/nodes/n1"))!.Value.Span));
    }

    [Fact]
    public async Task Connect_WhenNothingListens_Fails()
    {
        var endpoint = Etcd.Endpoint;
        await Etcd.KillAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await Assert.ThrowsAnyAsync<Exception>(() => EtcdStore.ConnectAsync([endpoint], ct: timeout.Token));
        Assert.False(timeout.IsCancellationRequested);
    }

    [Fact]
    public async Task Range_WithEmptyPrefix_ReadsEveryKey()
    {
        await Store.CreateAsync("/a", Value("1"));
        await Store.CreateAsync("/b", Value("2"));

        var all = await Store.RangeAsync(new RangeRequest(""));

        Assert.Equal(["/a", "/b"], all.Items.Select(kv => kv.Key));
        Assert.Equal(2, await Store.CountAsync(""));
    }

    private static ReadOnlyMemory<byte> Value(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Right after a restart the client's connection may still be failing; retry until the deadline.</summary>
    private static async Task<T> RetryUntilAvailableAsync<T>(Func<Task<T>> action, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Unavailable && !ct.IsCancellationRequested)
            {
                await Task.Delay(20, ct);
            }
        }
    }
}
