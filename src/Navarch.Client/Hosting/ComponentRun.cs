using Navarch.Client.Informers;

namespace Navarch.Client.Hosting;

/// <summary>
/// The background run of a hosted component (scheduler, controller manager): started once, cancelled on stop, and
/// its informers closed on stop, before an API server in the same process waits for its clients to hang up.
/// </summary>
public sealed class ComponentRun : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _running;
    private SharedInformerFactory? _informers;
    private int _disposed;

    /// <summary>Cancelled when the component stops.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Starts <paramref name="run"/> in the background; <paramref name="informers"/> are closed on stop.</summary>
    public void Start(SharedInformerFactory informers, Func<CancellationToken, Task> run)
    {
        _informers = informers;
        _running = RunAsync(run);
    }

    private async Task RunAsync(Func<CancellationToken, Task> run)
    {
        try
        {
            await run(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_running is not null)
        {
            await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_informers is not null)
        {
            await _informers.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_running is not null)
        {
            await _running.ConfigureAwait(false);
        }

        if (_informers is not null)
        {
            await _informers.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
