using System.Globalization;
using System.Text;

namespace Navarch.Controllers.Job;

/// <summary>
/// The compressed index list of an Indexed Job's <c>status.completedIndexes</c>, as Kubernetes writes it: ascending
/// intervals joined by commas, a run of consecutive indexes as "first-last" (e.g. "1,3-5,7").
/// </summary>
internal static class CompletedIndexes
{
    /// <summary>The indexes in <paramref name="text"/> below <paramref name="completions"/>; malformed parts are skipped.</summary>
    public static SortedSet<int> Parse(string? text, int completions)
    {
        var result = new SortedSet<int>();
        if (string.IsNullOrEmpty(text))
        {
            return result;
        }

        foreach (var part in text.Split(','))
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            var firstText = dash < 0 ? part : part[..dash];
            var lastText = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(firstText, NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                || !int.TryParse(lastText, NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            {
                continue;
            }

            for (var i = first; i <= last && i < completions; i++)
            {
                result.Add(i);
            }
        }

        return result;
    }

    /// <summary>The compressed form of <paramref name="indexes"/> (any order, duplicates allowed); empty for none.</summary>
    public static string Format(IEnumerable<int> indexes)
    {
        var text = new StringBuilder();
        int? first = null;
        var last = 0;
        foreach (var index in new SortedSet<int>(indexes))
        {
            if (first is not null && index == last + 1)
            {
                last = index;
                continue;
            }

            Append(text, first, last);
            first = index;
            last = index;
        }

        Append(text, first, last);
        return text.ToString();
    }

    private static void Append(StringBuilder text, int? first, int last)
    {
        if (first is not { } start)
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append(',');
        }

        text.Append(start.ToString(CultureInfo.InvariantCulture));
        if (last != start)
        {
            text.Append('-').Append(last.ToString(CultureInfo.InvariantCulture));
        }
    }
}
