using System.Buffers;

namespace Navarch.ApiServer.NodeProxy;

/// <summary>Copies a backend's response body to the client through a pooled buffer, optionally flushing every chunk.</summary>
internal static class BodyRelay
{
    private const int CopyBufferSize = 16 * 1024;

    /// <summary>
    /// Copies until the backend's body ends. Returns null, or the error when the backend broke off mid-way (the
    /// client keeps what came); cancellation by the client is thrown.
    /// </summary>
    public static async Task<Exception?> CopyAsync(Stream source, Stream destination, bool flushEachChunk, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                if (flushEachChunk)
                {
                    await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return null;
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            return e;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
