namespace Navarch.Scheduler.Runtime;

/// <summary>
/// Runs a per-node body over an index range with kube-scheduler's parallelism, inline when the range is small
/// or the machine has few cores (thread hand-off costs more than a few cheap Filter calls).
/// </summary>
internal static class ParallelRunner
{
    /// <summary>Below this many items per available core, work runs on the calling thread.</summary>
    private const int MinItemsPerWorker = 32;

    public static void For(int count, int parallelism, Action<int> body, CancellationToken cancellationToken = default)
    {
        var workers = Math.Min(parallelism, Environment.ProcessorCount);
        if (count < MinItemsPerWorker * 2 || workers <= 1)
        {
            for (var i = 0; i < count; i++)
            {
                if (cancellationToken.IsCancellationRequested) return;
                body(i);
            }

            return;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = workers };
        // Chunked ranges keep the per-item cost to a loop iteration rather than a delegate call through the partitioner.
        var chunk = Math.Max(MinItemsPerWorker / 2, count / (workers * 4));
        var chunks = (count + chunk - 1) / chunk;
        Parallel.For(0, chunks, options, (c, loop) =>
        {
            var end = Math.Min(count, (c + 1) * chunk);
            for (var i = c * chunk; i < end; i++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    loop.Stop();
                    return;
                }

                body(i);
            }
        });
    }
}
