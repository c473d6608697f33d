using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Navarch.Storage.Sqlite;

namespace Navarch.Storage.Tests;

/// <summary>
/// Kills a writer process with SIGKILL mid-flight and checks that every write it saw acknowledged survived whole.
/// </summary>
public sealed class SqliteCrashTests : IDisposable
{
    private const string WriterDll = "Navarch.Storage.CrashWriter.dll";

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task KilledWriter_KeepsEveryAcknowledgedWriteWholeAcrossRepeatedCrashes()
    {
        var db = _directory.File("state.db");
        var acknowledged = new Dictionary<string, long>(StringComparer.Ordinal);
        long highest = 0;
        for (var round = 0; round < 3; round++)
        {
            foreach (var (key, revision) in await RunAndKillAsync(db))
            {
                acknowledged[key] = Math.Max(revision, acknowledged.GetValueOrDefault(key));
                highest = Math.Max(highest, revision);
            }

            await using var store = await SqliteStore.OpenAsync(db);
            Assert.True(await store.GetCurrentRevisionAsync() >= highest);
            foreach (var (key, revision) in acknowledged)
            {
                var kv = await store.GetAsync(key);
                Assert.True(kv is not null, $"acknowledged {key} at {revision} is missing after crash {round + 1}");
                Assert.True(kv.ModRevision >= revision, $"{key} is at {kv.ModRevision}, below acknowledged {revision}");
            }

            long stored = 0;
            string? after = null;
            while (true)
            {
                var page = await store.RangeAsync(new RangeRequest("/crash/", Limit: 1000, StartAfter: after));
                Assert.All(page.Items, kv => Assert.True(IsWhole(kv.Value.Span), $"{kv.Key} has a torn value"));
                stored += page.Items.Count;
                if (!page.More)
                {
                    break;
                }

                after = page.Items[^1].Key;
            }

            Assert.True(stored >= acknowledged.Count);

            var next = await store.CreateAsync($"/after-crash/{round}", new byte[] { 1 });
            Assert.True(next.Revision > highest);
            highest = next.Revision;
        }

        Assert.True(acknowledged.Count > 100, $"only {acknowledged.Count} writes were acknowledged; the writer barely ran");
    }

    private static async Task<List<(string Key, long Revision)>> RunAndKillAsync(string db)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(LocateWriter());
        start.ArgumentList.Add(db);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the crash writer");
        var lines = new ConcurrentQueue<string>();
        var stdout = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Enqueue(line);
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();

        try
        {
            // Let it write for a while once it acknowledges writes, then pull the plug.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (lines.Count < 50 && !process.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            if (process.HasExited)
            {
                Assert.Fail($"the crash writer exited early: {await stderr}");
            }

            Assert.True(lines.Count >= 50, "the crash writer acknowledged no writes in time");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        finally
        {
            process.Kill(entireProcessTree: false); // SIGKILL on Unix: no flush, no dispose
            await process.WaitForExitAsync();
        }

        await stdout.WaitAsync(TimeSpan.FromSeconds(10));
        var acknowledged = new List<(string, long)>();
        foreach (var line in lines)
        {
            // Only whole lines count; the kill may cut the last one short.
            var parts = line.Split(' ');
            if (parts is ["ACK", var key, var revision, "END"])
            {
                acknowledged.Add((key, long.Parse(revision, CultureInfo.InvariantCulture)));
            }
        }

        return acknowledged;
    }

    private static string LocateWriter()
    {
        // The test project references the writer, so the build copies it (with its runtimeconfig) next to us.
        var path = Path.Combine(AppContext.BaseDirectory, WriterDll);
        Assert.True(File.Exists(path) && File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")), $"{path} was not built next to the tests");
        return path;
    }

    private static bool IsWhole(ReadOnlySpan<byte> value)
    {
        if (value.Length < 32)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(value[..^32], hash);
        return hash.SequenceEqual(value[^32..]);
    }
}
