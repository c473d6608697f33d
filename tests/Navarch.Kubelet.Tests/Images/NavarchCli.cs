using System.Diagnostics;

namespace Navarch.Kubelet.Tests.Images;

/// <summary>The built <c>navarch</c> CLI of this test run's configuration (built here when missing), run as a child process.</summary>
internal static class NavarchCli
{
    private static readonly TimeSpan BuildDeadline = TimeSpan.FromMinutes(5);

    public static async Task<string> FindOrBuildAsync()
    {
        var root = RepositoryRoot();
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release"
            : "Debug";
        var dll = Path.Combine(root, "src", "Navarch.Cli", "bin", configuration, "net10.0", "navarch.dll");
        if (!File.Exists(dll) || IsStale(dll, root))
        {
            var (exitCode, output) = await ToolRunner.RunAsync(
                "dotnet", ["build", Path.Combine(root, "src", "Navarch.Cli"), "-c", configuration, "-v", "q", "-nologo"], BuildDeadline);
            if (exitCode != 0 || !File.Exists(dll))
            {
                throw new InvalidOperationException($"building the CLI failed ({exitCode}): {output}");
            }
        }

        return dll;
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var dll = await FindOrBuildAsync();
        return await ToolRunner.RunAsync("dotnet", [dll, .. arguments], TimeSpan.FromSeconds(60));
    }

    /// <summary>A source of the CLI or the kubelet changed after the CLI was built (a test run without a solution build first).</summary>
    private static bool IsStale(string dll, string root)
    {
        var built = File.GetLastWriteTimeUtc(dll);
        return new[] { "Navarch.Cli", "Navarch.Kubelet" }
            .SelectMany(project => Directory.EnumerateFiles(Path.Combine(root, "src", project), "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Any(path => File.GetLastWriteTimeUtc(path) > built);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Navarch.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Navarch.slnx above {AppContext.BaseDirectory}");
    }
}
