using System.Security.Cryptography;
using Navarch.Storage.Sqlite;

// Usage: Navarch.Storage.CrashWriter <db-path> [writers]
// Prints "ACK <key> <revision> END" for every write whose task completed (so it is durable), one flushed line
// each, until killed. Values are random bytes followed by their SHA-256, so a torn value is detectable.
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: Navarch.Storage.CrashWriter <db-path> [writers]");
    return 2;
}

var writers = args.Length == 2 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 16;
var run = Guid.NewGuid().ToString("N")[..8];
await using var store = await SqliteStore.OpenAsync(args[0]);
var output = Console.Out; // synchronized and auto-flushed: every WriteLine reaches the pipe before it returns
output.WriteLine("READY");

// The test kills us within seconds; stop by ourselves if it never does, rather than fill the disk.
using var lifetime = new CancellationTokenSource(TimeSpan.FromSeconds(30));
await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    var hotKey = $"/crash/{run}/{w}/hot";
    long hotRevision = 0;
    for (var i = 0; !lifetime.IsCancellationRequested; i++)
    {
        var key = $"/crash/{run}/{w}/{i:D6}";
        var created = await store.CreateAsync(key, MakeValue());
        Acknowledge(key, created.Succeeded, created.Revision);

        if (i % 4 == 0)
        {
            var hot = hotRevision == 0
                ? await store.CreateAsync(hotKey, MakeValue())
                : await store.UpdateAsync(hotKey, MakeValue(), hotRevision);
            Acknowledge(hotKey, hot.Succeeded, hot.Revision);
            hotRevision = hot.Revision;
        }
    }
})));
return 0;

void Acknowledge(string key, bool succeeded, long revision)
{
    if (!succeeded)
    {
        Console.Error.WriteLine($"write of {key} unexpectedly failed at revision {revision}");
        Environment.Exit(1);
    }

    output.WriteLine($"ACK {key} {revision} END");
}

static byte[] MakeValue()
{
    var length = RandomNumberGenerator.GetInt32(16, 1024);
    var value = new byte[length + 32];
    RandomNumberGenerator.Fill(value.AsSpan(0, length));
    SHA256.HashData(value.AsSpan(0, length), value.AsSpan(length));
    return value;
}
