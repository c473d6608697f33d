using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Navarch.ApiServer.Errors;
using Navarch.ApiServer.NodeProxy;

namespace Navarch.ApiServer.Tests.NodeProxy;

public sealed class LogRequestOptionsTests
{
    [Fact]
    public void Parse_SinceTime_IsPassedToTheKubeletAsRfc3339Utc()
    {
        var options = LogRequestOptions.Parse(Query(("sinceTime", "2026-11-25T21:00:00+01:00"), ("follow", "1")), "p");

        Assert.Equal("?follow=true&sinceTime=2026-11-25T20%3A00%3A00Z", options.ToKubeletQuery());
    }

    [Fact]
    public void Parse_SinceTimeAndSinceSeconds_IsInvalid()
    {
        var error = Assert.Throws<ApiException>(() => LogRequestOptions.Parse(Query(("sinceTime", "2026-11-25T21:00:00Z"), ("sinceSeconds", "5")), "p"));

        Assert.Equal(422, error.Code);
        Assert.Contains("at most one of `sinceTime` or `sinceSeconds` may be specified", error.Message);
    }

    [Theory]
    [InlineData("limitBytes", "0", "limitBytes: Invalid value: 0: must be greater than 0")]
    [InlineData("sinceSeconds", "0", "sinceSeconds: Invalid value: 0: must be greater than 0")]
    public void Parse_OutOfRange_IsInvalid(string name, string value, string message)
    {
        var error = Assert.Throws<ApiException>(() => LogRequestOptions.Parse(Query((name, value)), "p"));

        Assert.Equal(422, error.Code);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Parse_FlagsFollowGoRules_FalseAndZeroAreFalse()
    {
        var options = LogRequestOptions.Parse(Query(("follow", "false"), ("previous", "0"), ("timestamps", "yes")), "p");

        Assert.Equal("?timestamps=true", options.ToKubeletQuery());
    }

    [Fact]
    public void Parse_SinceTimeWithFractions_IsAccepted()
    {
        var options = LogRequestOptions.Parse(Query(("sinceTime", "2026-11-25T21:00:00.123456Z")), "p");

        Assert.Equal(new DateTimeOffset(2026, 11, 25, 21, 0, 0, 123, TimeSpan.Zero).AddTicks(4560), options.SinceTime);
    }

    [Fact]
    public void Parse_UnparsableTime_IsBadRequest()
    {
        var error = Assert.Throws<ApiException>(() => LogRequestOptions.Parse(Query(("sinceTime", "yesterday")), "p"));

        Assert.Equal(400, error.Code);
    }

    private static QueryCollection Query(params (string Name, string Value)[] values) =>
        new(values.ToDictionary(v => v.Name, v => new StringValues(v.Value)));
}
