using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Watch;
using Navarch.Storage.Memory;

namespace Navarch.ApiServer.Tests.Watch;

public sealed class WatchCacheTests
{
    private static byte[] ConfigMap(string name) =>
        Encoding.UTF8.GetBytes("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\"}}");

    [Fact]
    public async Task Watch_OlderThanHistory_IsExpired_AndRecentOneReplays()
    {
        await using var store = new MemoryStore();
        var definition = ResourceRegistry.CreateDefault().Find("", "v1", "configmaps")!;
        using var cache = new WatchCache(definition, store, NullLogger.Instance, historySize: 3);
        await cache.LoadAsync(0, CancellationToken.None);

        var revisions = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var result = await store.CreateAsync($"{definition.KeyPrefix}default/c{i}", ConfigMap($"c{i}"));
            revisions.Add(result.Revision);
            await foreach (var e in store.WatchAsync(definition.KeyPrefix, result.Revision - 1))
            {
                cache.Apply(e);
                break;
            }
        }

        var expired = Assert.Throws<ApiException>(() => cache.Watch(revisions[0]));
        Assert.Equal(410, expired.Code);
        Assert.Equal("Expired", expired.Reason);

        using var recent = cache.Watch(revisions[2]);
        Assert.Equal([revisions[3], revisions[4]], recent.Initial.Select(e => e.Revision));
        Assert.All(recent.Initial, e => Assert.Equal(CacheEventType.Added, e.Type));
    }

    [Fact]
    public async Task WaitForRevision_ReturnsOnceAdvanced_AndTimesOutOtherwise()
    {
        await using var store = new MemoryStore();
        var definition = ResourceRegistry.CreateDefault().Find("", "v1", "configmaps")!;
        using var cache = new WatchCache(definition, store, NullLogger.Instance);
        await cache.LoadAsync(0, CancellationToken.None);

        var waiting = cache.WaitForRevisionAsync(7, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        cache.Advance(7);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));

        var timeout = await Assert.ThrowsAsync<ApiException>(() => cache.WaitForRevisionAsync(100, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.Equal(504, timeout.Code);
    }
}
