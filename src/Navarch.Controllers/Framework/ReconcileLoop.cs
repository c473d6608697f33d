using Microsoft.Extensions.Logging;
using Navarch.Client.WorkQueue;

namespace Navarch.Controllers.Framework;

/// <summary>
/// The worker side of a level-triggered controller, as client-go's processNextWorkItem: keys come from a
/// rate-limited queue, <c>sync(key)</c> reads the latest state from listers, a failure requeues the key with
/// back-off and success forgets its failures. A key is never synced by two workers at once.
/// </summary>
public sealed partial class ReconcileLoop(
    string name,
    Func<string, CancellationToken, Task> sync,
    ILogger logger,
    TimeProvider time)
{
    public RateLimitingQueue<string> Queue { get; } = new(RateLimiters.DefaultControllerRateLimiter<string>(time), time, name);

    public void Enqueue(string key) => Queue.Add(key);

    public void EnqueueAfter(string key, TimeSpan delay) => Queue.AddAfter(key, delay);

    /// <summary>Runs <paramref name="workers"/> workers until cancelled, then shuts the queue down.</summary>
    public async Task RunAsync(int workers, CancellationToken cancellationToken)
    {
        var tasks = new Task[workers];
        for (var i = 0; i < workers; i++)
        {
            tasks[i] = WorkAsync(cancellationToken);
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        finally
        {
            Queue.ShutDown();
        }
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        // Yield first, so a caller's synchronous start is not held by the first item.
        await Task.Yield();
        while (!cancellationToken.IsCancellationRequested)
        {
            string key;
            try
            {
                var (item, shutdown) = await Queue.GetAsync(cancellationToken).ConfigureAwait(false);
                if (shutdown) return;
                key = item;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await sync(key, cancellationToken).ConfigureAwait(false);
                Queue.Forget(key);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (ApiErrorKinds.IsNotFound(e) || ApiErrorKinds.IsNamespaceTerminating(e))
            {
                // The object or its namespace is going away: a retry cannot succeed, and its events will requeue
                // whatever still needs doing.
                LogSyncAbandoned(logger, name, key, e.Message);
                Queue.Forget(key);
            }
            catch (Exception e)
            {
                LogSyncFailed(logger, name, key, Queue.NumRequeues(key), e);
                Queue.AddRateLimited(key);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Controller}: {Key} is going away, not retrying: {Reason}")]
    private static partial void LogSyncAbandoned(ILogger logger, string controller, string key, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Controller}: syncing {Key} failed (retry {Retries})")]
    private static partial void LogSyncFailed(ILogger logger, string controller, string key, int retries, Exception error);
}
