using System.Globalization;
using Navarch.Api;

namespace Navarch.ApiServer.Registry.Validation;

/// <summary>
/// Checks a CronJob schedule the way the standard cron parser Kubernetes uses (robfig/cron ParseStandard) accepts it:
/// five fields (minute, hour, day of month, month, day of week) of <c>*</c>/<c>?</c>, numbers, ranges, steps, lists and
/// month/weekday names, or a descriptor such as <c>@hourly</c> or <c>@every 5m</c>.
/// </summary>
internal static class CronSchedule
{
    private static readonly string[] Descriptors = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    private static readonly string[] Days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    private static readonly (int Min, int Max, string[]? Names, int NameBase)[] Fields =
    [
        (0, 59, null, 0),
        (0, 23, null, 0),
        (1, 31, null, 0),
        (1, 12, Months, 1),
        (0, 6, Days, 0),
    ];

    /// <summary>Null when valid, else the parser's complaint.</summary>
    public static string? Validate(string schedule)
    {
        var text = schedule.Trim();
        if (text.Length == 0)
        {
            return "empty spec string";
        }

        if (text.StartsWith("TZ=", StringComparison.Ordinal) || text.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            text = space < 0 ? "" : text[(space + 1)..].Trim();
        }

        if (text.StartsWith('@'))
        {
            if (Descriptors.Contains(text))
            {
                return null;
            }

            if (text.StartsWith("@every ", StringComparison.Ordinal))
            {
                return IsGoDuration(text["@every ".Length..].Trim()) ? null : $"failed to parse duration {text}";
            }

            return $"unrecognized descriptor: {text}";
        }

        var fields = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            return $"expected exactly 5 fields, found {fields.Length}: [{string.Join(" ", fields)}]";
        }

        for (var i = 0; i < fields.Length; i++)
        {
            foreach (var part in fields[i].Split(','))
            {
                if (ValidateRange(part, Fields[i]) is { } error)
                {
                    return error;
                }
            }
        }

        return null;
    }

    private static string? ValidateRange(string expression, (int Min, int Max, string[]? Names, int NameBase) bounds)
    {
        var rangeAndStep = expression.Split('/');
        if (rangeAndStep.Length > 2)
        {
            return $"too many slashes: {expression}";
        }

        var lowAndHigh = rangeAndStep[0].Split('-');
        int start, end;
        if (lowAndHigh[0] is "*" or "?")
        {
            if (lowAndHigh.Length > 1)
            {
                return $"too many hyphens: {expression}";
            }

            start = bounds.Min;
            end = bounds.Max;
        }
        else
        {
            if (lowAndHigh.Length > 2)
            {
                return $"too many hyphens: {expression}";
            }

            if (ParseValue(lowAndHigh[0], bounds) is not { } low)
            {
                return $"failed to parse int from {lowAndHigh[0]}: strconv.Atoi: parsing \"{lowAndHigh[0]}\": invalid syntax";
            }

            start = low;
            end = low;
            if (lowAndHigh.Length == 2)
            {
                if (ParseValue(lowAndHigh[1], bounds) is not { } high)
                {
                    return $"failed to parse int from {lowAndHigh[1]}: strconv.Atoi: parsing \"{lowAndHigh[1]}\": invalid syntax";
                }

                end = high;
            }
        }

        if (rangeAndStep.Length == 2)
        {
            if (!int.TryParse(rangeAndStep[1], NumberStyles.None, CultureInfo.InvariantCulture, out var step))
            {
                return $"failed to parse int from {rangeAndStep[1]}: strconv.Atoi: parsing \"{rangeAndStep[1]}\": invalid syntax";
            }

            if (step == 0)
            {
                return $"step of range should be a positive number: {expression}";
            }
        }

        if (start < bounds.Min)
        {
            return $"beginning of range ({start}) below minimum ({bounds.Min}): {expression}";
        }

        if (end > bounds.Max)
        {
            return $"end of range ({end}) above maximum ({bounds.Max}): {expression}";
        }

        if (start > end)
        {
            return $"beginning of range ({start}) beyond end of range ({end}): {expression}";
        }

        return null;
    }

    private static int? ParseValue(string text, (int Min, int Max, string[]? Names, int NameBase) bounds)
    {
        if (bounds.Names is { } names)
        {
            var index = Array.IndexOf(names, text.ToLowerInvariant());
            if (index >= 0)
            {
                return index + bounds.NameBase;
            }
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static bool IsGoDuration(string text) => GoDuration.TryParse(text, out _);
}
