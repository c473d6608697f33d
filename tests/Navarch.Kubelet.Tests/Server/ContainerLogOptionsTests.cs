using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Navarch.Kubelet.Server;

namespace Navarch.Kubelet.Tests.Server;

public sealed class ContainerLogOptionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Parse_ReadsEveryOption()
    {
        var (options, error) = Parse(("follow", "true"), ("previous", "1"), ("timestamps", "true"), ("tailLines", "10"), ("limitBytes", "100"), ("sinceSeconds", "60"));

        Assert.Null(error);
        Assert.NotNull(options);
        Assert.True(options.Follow);
        Assert.True(options.Previous);
        Assert.True(options.Timestamps);
        Assert.Equal(10, options.TailLines);
        Assert.Equal(100, options.LimitBytes);
        Assert.Equal(Now.AddSeconds(-60), options.Since);
    }

    [Fact]
    public void Parse_SinceTime_IsRfc3339()
    {
        var (options, _) = Parse(("sinceTime", "2026-01-02T03:00:00Z"));

        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 0, 0, TimeSpan.Zero), options?.Since);
    }

    [Theory]
    [InlineData("tailLines", "-1", "tailLines: Invalid value: -1: must be greater than or equal to 0")]
    [InlineData("limitBytes", "0", "limitBytes: Invalid value: 0: must be greater than 0")]
    [InlineData("sinceSeconds", "0", "sinceSeconds: Invalid value: 0: must be greater than 0")]
    [InlineData("follow", "maybe", "follow, previous and timestamps must be true or false")]
    public void Parse_InvalidValue_ExplainsLikePodLogOptionsValidation(string name, string value, string expected)
    {
        var (options, error) = Parse((name, value));

        Assert.Null(options);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Parse_BothSinceTimeAndSinceSeconds_IsRejected()
    {
        var (_, error) = Parse(("sinceSeconds", "5"), ("sinceTime", "2026-01-02T03:00:00Z"));

        Assert.Equal("at most one of `sinceTime` or `sinceSeconds` may be specified", error);
    }

    private static (ContainerLogOptions? Options, string? Error) Parse(params (string Name, string Value)[] query) =>
        ContainerLogOptions.Parse(new QueryCollection(query.ToDictionary(q => q.Name, q => new StringValues(q.Value))), Now);
}
