using Microsoft.Extensions.Time.Testing;
using Navarch.Client.WorkQueue;

namespace Navarch.Client.Tests.WorkQueue;

public sealed class RateLimitingQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Add_DuplicatesWhileWaiting_CollapseIntoOneInFifoOrder()
    {
        using var queue = new RateLimitingQueue<string>(_time);
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");
        queue.Add("c");

        Assert.Equal(3, queue.Len);
        Assert.Equal(3, queue.AddsCount);
        Assert.Equal("a", (await queue.GetAsync(CancellationToken.None)).Item);
        Assert.Equal("b", (await queue.GetAsync(CancellationToken.None)).Item);
        Assert.Equal("c", (await queue.GetAsync(CancellationToken.None)).Item);
        Assert.Equal(0, queue.Len);
    }

    [Fact]
    public async Task Add_WhileProcessing_IsHeldUntilDone()
    {
        using var queue = new RateLimitingQueue<string>(_time);
        queue.Add("a");
        var (item, _) = await queue.GetAsync(CancellationToken.None);

        queue.Add("a");
        Assert.Equal(0, queue.Len);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await queue.GetAsync(cts.Token));

        queue.Done(item);
        Assert.Equal(1, queue.Len);
        var again = await queue.GetAsync(CancellationToken.None).AsTask().WaitAsync(Deadline);
        Assert.Equal("a", again.Item);
    }

    [Fact]
    public async Task Done_WithoutReAdd_DoesNotRequeue()
    {
        using var queue = new RateLimitingQueue<string>(_time);
        queue.Add("a");
        var (item, _) = await queue.GetAsync(CancellationToken.None);
        queue.Done(item);

        Assert.Equal(0, queue.Len);
    }

    [Fact]
    public async Task GetAsync_ManyWorkers_NeverProcessOneKeyConcurrently()
    {
        using var queue = new RateLimitingQueue<int>(_time);
        var inFlight = new int[5];
        var violations = 0;
        var processed = 0;
        using var cts = new CancellationTokenSource(Deadline);

        async Task WorkerAsync()
        {
            while (true)
            {
                var (item, shutdown) = await queue.GetAsync(cts.Token);
                if (shutdown)
                {
                    return;
                }

                if (Interlocked.Increment(ref inFlight[item]) != 1)
                {
                    Interlocked.Increment(ref violations);
                }

                await Task.Yield();
                Interlocked.Decrement(ref inFlight[item]);
                Interlocked.Increment(ref processed);
                queue.Done(item);
            }
        }

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(WorkerAsync)).ToArray();
        for (var i = 0; i < 2000; i++)
        {
            queue.Add(i % inFlight.Length);
            if (i % 50 == 0)
            {
                await Task.Yield();
            }
        }

        while (queue.Len > 0 && !cts.IsCancellationRequested)
        {
            await Task.Delay(5, cts.Token);
        }

        await queue.ShutDownWithDrainAsync(cts.Token);
        await Task.WhenAll(workers).WaitAsync(cts.Token);
        Assert.Equal(0, violations);
        Assert.True(processed >= inFlight.Length);
    }

    [Fact]
    public async Task AddAfter_AddsInReadyTimeOrder()
    {
        using var queue = new RateLimitingQueue<string>(_time);
        queue.AddAfter("late", TimeSpan.FromSeconds(3));
        queue.AddAfter("early", TimeSpan.FromSeconds(1));
        queue.AddAfter("middle", TimeSpan.FromSeconds(2));
        Assert.Equal(0, queue.Len);
        Assert.Equal(3, queue.DelayedCount);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, queue.Len);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(3, queue.Len);
        Assert.Equal("early", (await queue.GetAsync(CancellationToken.None)).Item);
        Assert.Equal("middle", (await queue.GetAsync(CancellationToken.None)).Item);
        Assert.Equal("late", (await queue.GetAsync(CancellationToken.None)).Item);
    }

    [Fact]
    public void AddAfter_SameItemTwice_KeepsTheEarlierTime()
    {
        using var queue = new RateLimitingQueue<string>(_time);
        queue.AddAfter("a", TimeSpan.FromSeconds(1));
        queue.AddAfter("a", TimeSpan.FromSeconds(10));
        Assert.Equal(1, queue.DelayedCount);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, queue.Len);

        queue.AddAfter("b", TimeSpan.FromSeconds(10));
        queue.AddAfter("b", TimeSpan.FromSeconds(2));
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(2, queue.Len);
    }

    [Fact]
    public async Task AddAfter_WakesAWaitingWorker()
    {
        using var queue = new RateLimitingQueue<string>(_time);
        var get = queue.GetAsync(CancellationToken.None).AsTask();
        queue.AddAfter("a", TimeSpan.FromMilliseconds(50));
        Assert.False(get.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(50));
        var (item, shutdown) = await get.WaitAsync(Deadline);
        Assert.False(shutdown);
        Assert.Equal("a", item);
    }

    [Fact]
    public void AddRateLimited_BacksOffExponentiallyAndForgetResets()
    {
        using var queue = new RateLimitingQueue<string>(
            new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000)), _time);

        queue.AddRateLimited("a");
        Assert.Equal(1, queue.NumRequeues("a"));
        _time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(0, queue.Len);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.Len);

        queue.Forget("a");
        Assert.Equal(0, queue.NumRequeues("a"));
        Assert.Equal(1, queue.RetriesCount);
    }

    [Fact]
    public async Task ShutDown_WakesWaitersWithShutdown()
    {
        using var queue = new RateLimitingQueue<string>(_time);
        var first = queue.GetAsync(CancellationToken.None).AsTask();
        var second = queue.GetAsync(CancellationToken.None).AsTask();

        queue.ShutDown();

        Assert.True((await first.WaitAsync(Deadline)).Shutdown);
        Assert.True((await second.WaitAsync(Deadline)).Shutdown);
        queue.Add("ignored");
        Assert.Equal(0, queue.Len);
        Assert.True((await queue.GetAsync(CancellationToken.None)).Shutdown);
    }

    [Fact]
    public async Task ShutDown_StillHandsOutQueuedItems()
    {
        using var queue = new RateLimitingQueue<string>(_time);
        queue.Add("a");
        queue.ShutDown();

        var (item, shutdown) = await queue.GetAsync(CancellationToken.None);
        Assert.False(shutdown);
        Assert.Equal("a", item);
        Assert.True((await queue.GetAsync(CancellationToken.None)).Shutdown);
    }

    [Fact]
    public async Task ShutDownWithDrain_WaitsForInFlightItems()
    {
        using var queue = new RateLimitingQueue<string>(_time);
        queue.Add("a");
        var (item, _) = await queue.GetAsync(CancellationToken.None);

        var drain = queue.ShutDownWithDrainAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => drain.WaitAsync(cts.Token));

        queue.Done(item);
        await drain.WaitAsync(Deadline);
    }

    [Fact]
    public async Task GetAsync_Cancelled_DoesNotSwallowALaterItem()
    {
        using var queue = new RateLimitingQueue<string>(_time);
        using var cts = new CancellationTokenSource();
        var cancelled = queue.GetAsync(cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Deadline));

        queue.Add("a");
        Assert.Equal(1, queue.Len);
        Assert.Equal("a", (await queue.GetAsync(CancellationToken.None)).Item);
    }
}
