using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Navarch.E2E.Infrastructure;

/// <summary>
/// Assertions on what kubectl printed. Every failure message carries the whole kubectl run and the tail of the
/// server's log, so a red test says what the server did without a rerun.
/// </summary>
public sealed partial class KubectlExpect(ServerFixture fixture)
{
    public KubectlResult Success(KubectlResult result)
    {
        if (result.ExitCode != 0)
        {
            Fail("expected kubectl to succeed", result);
        }

        return result;
    }

    public KubectlResult Failure(KubectlResult result)
    {
        if (result.ExitCode is 0 or -1)
        {
            Fail("expected kubectl to fail with an error", result);
        }

        return result;
    }

    /// <summary>Stdout has this line, comparing with runs of whitespace collapsed (kubectl pads table cells to the widest value).</summary>
    public void StdoutLine(KubectlResult result, string expected)
    {
        var want = Collapse(expected);
        if (!result.StdoutLines.Any(l => Collapse(l) == want))
        {
            Fail($"expected a stdout line '{expected}'", result);
        }
    }

    /// <summary>Stdout has exactly these lines in this order (whitespace collapsed); use for a whole small table.</summary>
    public void StdoutLines(KubectlResult result, params string[] expected)
    {
        var actual = result.StdoutLines.Select(Collapse).ToArray();
        if (!actual.SequenceEqual(expected.Select(Collapse)))
        {
            Fail($"expected stdout lines:\n{string.Join('\n', expected)}", result);
        }
    }

    public Match StdoutMatches(KubectlResult result, [StringSyntax(StringSyntaxAttribute.Regex)] string pattern)
    {
        var match = Regex.Match(result.Stdout, pattern, RegexOptions.Multiline);
        if (!match.Success)
        {
            Fail($"expected stdout to match /{pattern}/", result);
        }

        return match;
    }

    public void StdoutDoesNotMatch(KubectlResult result, [StringSyntax(StringSyntaxAttribute.Regex)] string pattern)
    {
        if (Regex.IsMatch(result.Stdout, pattern, RegexOptions.Multiline))
        {
            Fail($"expected stdout not to match /{pattern}/", result);
        }
    }

    public void StderrContains(KubectlResult result, string expected)
    {
        if (!result.Stderr.Contains(expected, StringComparison.Ordinal))
        {
            Fail($"expected stderr to contain:\n{expected}", result);
        }
    }

    public Match StderrMatches(KubectlResult result, [StringSyntax(StringSyntaxAttribute.Regex)] string pattern)
    {
        var match = Regex.Match(result.Stderr, pattern, RegexOptions.Multiline);
        if (!match.Success)
        {
            Fail($"expected stderr to match /{pattern}/", result);
        }

        return match;
    }

    /// <summary>Fails unless the condition holds; the message gets the kubectl run (if any) and the server log.</summary>
    public void True(bool condition, string message, KubectlResult? result = null)
    {
        if (!condition)
        {
            Fail(message, result);
        }
    }

    /// <summary>The server still answers <c>/readyz</c> with <c>ok</c> (used after every bad request).</summary>
    public async Task ServerHealthyAsync()
    {
        var result = await fixture.Kubectl.RunAsync("get", "--raw", "/readyz");
        if (result.ExitCode != 0 || result.Stdout.Trim() != "ok")
        {
            Fail("expected the server to stay healthy", result);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public void Fail(string message, KubectlResult? result = null) =>
        Assert.Fail($"{message}\n{result}\n{fixture.LogTailForMessage()}");

    private static string Collapse(string line) => Whitespace().Replace(line.Trim(), " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
