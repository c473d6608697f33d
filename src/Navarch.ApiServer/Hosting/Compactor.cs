using Microsoft.Extensions.Logging;
using Navarch.Storage;

namespace Navarch.ApiServer.Hosting;

/// <summary>
/// Keeps store history bounded as kube-apiserver does: every interval it compacts to the revision it saw at the
/// previous tick, so at least one interval of history stays for watches and paged lists to resume from.
/// </summary>
public sealed partial class Compactor(IKeyValueStore store, TimeProvider time, ILogger<Compactor> logger)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(5);

    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        long previous = 0;
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                previous = await CompactOnceAsync(previous, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Compacts to <paramref name="target"/> (when there is one) and returns the revision to use next time.</summary>
    public async Task<long> CompactOnceAsync(long target, CancellationToken cancellationToken)
    {
        var current = await store.GetCurrentRevisionAsync(cancellationToken).ConfigureAwait(false);
        if (target > 0 && target > await store.GetCompactRevisionAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await store.CompactAsync(target, cancellationToken).ConfigureAwait(false);
                Log.Compacted(logger, target);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Failed(logger, target, e);
            }
        }

        return current;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Compacted the store to revision {Revision}")]
        public static partial void Compacted(ILogger logger, long revision);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Compacting the store to revision {Revision} failed")]
        public static partial void Failed(ILogger logger, long revision, Exception exception);
    }
}
