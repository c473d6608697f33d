namespace Navarch.Controllers.ReplicaSet;

/// <summary>
/// Runs an action <c>count</c> times in batches that double in size (1, 2, 4, 8, ... capped by what remains) and stops
/// after the first batch with a failure, as Kubernetes' slowStartBatch: a controller whose creates all fail (quota,
/// admission, a bad template) sends one request instead of hundreds.
/// </summary>
internal static class SlowStartBatch
{
    /// <summary>The first batch's size (controller.SlowStartInitialBatchSize).</summary>
    public const int InitialBatchSize = 1;

    /// <summary>
    /// Calls <paramref name="action"/> up to <paramref name="count"/> times; the calls of one batch run concurrently.
    /// Returns how many succeeded and the first failure, if any (the batch with it is finished, no later batch starts).
    /// </summary>
    public static async Task<SlowStartResult> RunAsync(int count, int initialBatchSize, Func<CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialBatchSize, 1);
        var remaining = count;
        var successes = 0;
        for (var batch = Math.Min(remaining, initialBatchSize); batch > 0; batch = Math.Min(2 * batch, remaining))
        {
            var calls = new Task[batch];
            for (var i = 0; i < batch; i++)
            {
                calls[i] = Call(action, cancellationToken);
            }

            Exception? firstError = null;
            foreach (var call in calls)
            {
                try
                {
                    await call.ConfigureAwait(false);
                    successes++;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception e)
                {
                    firstError ??= e;
                }
            }

            if (firstError is not null) return new SlowStartResult(successes, firstError);
            remaining -= batch;
        }

        return new SlowStartResult(successes, null);
    }

    // Runs the action on the pool so a synchronous start of one call does not hold back the others of its batch.
    private static Task Call(Func<CancellationToken, Task> action, CancellationToken cancellationToken) =>
        Task.Run(() => action(cancellationToken), CancellationToken.None);
}
