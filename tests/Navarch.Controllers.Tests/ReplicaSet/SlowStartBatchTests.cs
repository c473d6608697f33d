using Navarch.Controllers.ReplicaSet;

namespace Navarch.Controllers.Tests.ReplicaSet;

public sealed class SlowStartBatchTests
{
    [Fact]
    public async Task RunAsync_AllSucceed_CallsCountTimes()
    {
        var calls = 0;
        var result = await SlowStartBatch.RunAsync(10, 1, _ => { Interlocked.Increment(ref calls); return Task.CompletedTask; }, CancellationToken.None);

        Assert.Equal(10, calls);
        Assert.Equal(10, result.Successes);
        Assert.Null(result.Error);
    }

    // Batches of 10 are 1, 2, 4 and then 3 (capped by what remains): a failing call ends its batch, so the number of
    // calls made shows where the batch holding the failure ends.
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 3)]
    [InlineData(4, 7)]
    [InlineData(7, 7)]
    [InlineData(8, 10)]
    [InlineData(10, 10)]
    public async Task RunAsync_CallFails_BatchesDoubleAndStopAfterTheFailingOne(int failing, int expectedCalls)
    {
        var calls = 0;
        var result = await SlowStartBatch.RunAsync(10, 1, _ =>
            Interlocked.Increment(ref calls) == failing ? Task.FromException(new InvalidOperationException("quota")) : Task.CompletedTask,
            CancellationToken.None);

        Assert.Equal(expectedCalls, calls);
        Assert.Equal(expectedCalls - 1, result.Successes);
        Assert.Equal("quota", result.Error?.Message);
    }

    [Fact]
    public async Task RunAsync_FailureInABatch_FinishesThatBatchAndStops()
    {
        var calls = 0;
        var result = await SlowStartBatch.RunAsync(100, 1, _ =>
        {
            // The 5th call fails: it is in the third batch (calls 4..7).
            return Interlocked.Increment(ref calls) == 5 ? Task.FromException(new InvalidOperationException("quota")) : Task.CompletedTask;
        }, CancellationToken.None);

        Assert.Equal(7, calls);
        Assert.Equal(6, result.Successes);
        Assert.Equal("quota", result.Error?.Message);
    }

    [Fact]
    public async Task RunAsync_FirstCallFails_MakesOnlyOneCall()
    {
        var calls = 0;
        var result = await SlowStartBatch.RunAsync(500, 1, _ =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("forbidden");
        }, CancellationToken.None);

        Assert.Equal(1, calls);
        Assert.Equal(0, result.Successes);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public async Task RunAsync_ZeroCount_CallsNothing()
    {
        var calls = 0;
        var result = await SlowStartBatch.RunAsync(0, 1, _ => { calls++; return Task.CompletedTask; }, CancellationToken.None);
        Assert.Equal(0, calls);
        Assert.Equal(0, result.Successes);
    }

    [Fact]
    public async Task RunAsync_CallsOfOneBatchRunConcurrently()
    {
        // Batch sizes 1, 2, 4: the 4 calls of the last batch must all be in flight together to pass the barrier.
        using var barrier = new Barrier(4);
        var calls = 0;
        var result = await SlowStartBatch.RunAsync(7, 1, _ =>
        {
            if (Interlocked.Increment(ref calls) > 3 && !barrier.SignalAndWait(TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException("the batch's calls did not run together");
            }

            return Task.CompletedTask;
        }, CancellationToken.None);

        Assert.Null(result.Error);
        Assert.Equal(7, result.Successes);
    }
}
