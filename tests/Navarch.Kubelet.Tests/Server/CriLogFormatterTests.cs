using System.Buffers;
using System.Text;
using Navarch.Kubelet.Server;

namespace Navarch.Kubelet.Tests.Server;

public sealed class CriLogFormatterTests
{
    private const string First = "2026-01-02T03:04:05.123456789Z stdout F hello";
    private const string PartialA = "2026-01-02T03:04:06.000000001Z stdout P par";
    private const string PartialB = "2026-01-02T03:04:06.000000002Z stdout F tial";
    private const string Later = "2026-01-02T03:04:07Z stderr F later";

    [Fact]
    public void Write_JoinsPartialEntriesIntoOneLine()
    {
        Assert.Equal("hello\npartial\nlater\n", Format(new ContainerLogOptions(), First, PartialA, PartialB, Later));
    }

    [Fact]
    public void Write_WithTimestamps_PrefixesEachLineWithItsFirstEntrysTime()
    {
        Assert.Equal(
            "2026-01-02T03:04:05.123456789Z hello\n2026-01-02T03:04:06.000000001Z partial\n",
            Format(new ContainerLogOptions { Timestamps = true }, First, PartialA, PartialB));
    }

    [Fact]
    public void Write_WithSince_SkipsEarlierLines()
    {
        var options = new ContainerLogOptions { Since = DateTimeOffset.Parse("2026-01-02T03:04:06Z", System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Equal("partial\nlater\n", Format(options, First, PartialA, PartialB, Later));
    }

    [Fact]
    public void Write_WithLimitBytes_StopsAtTheLimit()
    {
        var formatter = new CriLogFormatter(new ContainerLogOptions { LimitBytes = 8 });
        var output = new ArrayBufferWriter<byte>();
        formatter.Write(Encoding.UTF8.GetBytes(First), output);
        formatter.Write(Encoding.UTF8.GetBytes(Later), output);

        Assert.Equal("hello\nla", Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.True(formatter.LimitReached);
    }

    [Fact]
    public void Write_EmptyLineAndGarbage_KeepsEmptyLineSkipsGarbage()
    {
        Assert.Equal("\nhello\n", Format(new ContainerLogOptions(), "2026-01-02T03:04:05Z stdout F ", "not-a-cri-line", First));
    }

    [Fact]
    public async Task FindTailStart_ReturnsOffsetOfTheLastNEntries()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "a\nbb\nccc\n");
            await using var file = File.OpenRead(path);

            Assert.Equal(5, await ContainerLogsHandler.FindTailStartAsync(file, 1, CancellationToken.None));
            Assert.Equal(2, await ContainerLogsHandler.FindTailStartAsync(file, 2, CancellationToken.None));
            Assert.Equal(0, await ContainerLogsHandler.FindTailStartAsync(file, 3, CancellationToken.None));
            Assert.Equal(0, await ContainerLogsHandler.FindTailStartAsync(file, 10, CancellationToken.None));
            Assert.Equal(9, await ContainerLogsHandler.FindTailStartAsync(file, 0, CancellationToken.None));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Format(ContainerLogOptions options, params string[] entries)
    {
        var formatter = new CriLogFormatter(options);
        var output = new ArrayBufferWriter<byte>();
        foreach (var entry in entries)
        {
            formatter.Write(Encoding.UTF8.GetBytes(entry), output);
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
