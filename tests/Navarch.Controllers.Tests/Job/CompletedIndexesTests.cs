using Navarch.Controllers.Job;

namespace Navarch.Controllers.Tests.Job;

public sealed class CompletedIndexesTests
{
    [Theory]
    [InlineData(new int[0], "")]
    [InlineData(new[] { 0 }, "0")]
    [InlineData(new[] { 1, 3, 4, 5 }, "1,3-5")]
    [InlineData(new[] { 5, 4, 3, 1, 3 }, "1,3-5")]
    [InlineData(new[] { 0, 1, 2, 7, 9, 10 }, "0-2,7,9-10")]
    public void Format_CompressesRuns(int[] indexes, string expected) =>
        Assert.Equal(expected, CompletedIndexes.Format(indexes));

    [Fact]
    public void Parse_ReadsIntervalsAndDropsIndexesBeyondCompletions() =>
        Assert.Equal([1, 3, 4, 5, 7], CompletedIndexes.Parse("1,3-5,7,9-12", 8));

    [Fact]
    public void Parse_SkipsMalformedParts() =>
        Assert.Equal([2], CompletedIndexes.Parse("x,2,3-a", 10));

    [Fact]
    public void ParseThenFormat_RoundTrips() =>
        Assert.Equal("0,2-4,6", CompletedIndexes.Format(CompletedIndexes.Parse("0,2-4,6", 10)));
}
