namespace Navarch.Kubelet.Images;

/// <summary>
/// Images built locally from a static busybox (Debian's busybox-static), because a node may have no registry to pull from:
/// a general-purpose <c>busybox</c> image and the sandbox ("pause") image.
/// </summary>
public static class BusyboxImages
{
    /// <summary>The name CRI resolves <c>busybox</c> to.</summary>
    public const string BusyboxReference = "docker.io/library/busybox:latest";

    /// <summary>Our sandbox image; the pod's namespaces are held by its one process.</summary>
    public const string PauseReference = "navarch.local/pause:3.10";

    public const string DefaultBusyboxPath = "/bin/busybox";

    /// <summary>Applets linked into <c>/bin</c>; busybox picks the applet by the name it is run as.</summary>
    public static readonly IReadOnlyList<string> Applets =
    [
        "sh", "ash", "echo", "cat", "ls", "sleep", "true", "false", "env", "printf", "test", "[", "id", "hostname",
        "ps", "kill", "mkdir", "rm", "cp", "mv", "ln", "touch", "chmod", "chown", "pwd", "date", "uname", "which",
        "grep", "sed", "awk", "head", "tail", "wc", "sort", "uniq", "tr", "cut", "tee", "seq", "xargs", "find", "stat",
        "df", "du", "dd", "mount", "timeout", "top", "vi", "wget", "nc", "httpd", "nslookup", "ping", "ip", "ifconfig",
        "netstat", "route", "tar", "gzip", "gunzip", "md5sum", "base64", "rmdir", "basename", "dirname", "expr",
    ];

    /// <summary>
    /// The pause process: sleeps forever, and exits 0 on SIGTERM/SIGINT (as PID 1 it would otherwise ignore them).
    /// </summary>
    public static readonly IReadOnlyList<string> PauseCommand =
        ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while true; do sleep 3600 & wait $!; done"];

    /// <summary>One layer: <c>/bin/busybox</c>, its applet links, a root user and the usual empty directories.</summary>
    /// <exception cref="InvalidOperationException">The busybox binary is dynamically linked, so it could not run alone in the image.</exception>
    public static byte[] BuildLayer(string busyboxPath = DefaultBusyboxPath)
    {
        var busybox = File.ReadAllBytes(busyboxPath);
        if (ElfInspector.HasInterpreter(busybox))
        {
            throw new InvalidOperationException(
                $"{busyboxPath} is dynamically linked and cannot run alone in an image; install a static busybox (Debian: apt-get install busybox-static)");
        }

        var builder = new OciLayerBuilder();
        foreach (var directory in new[] { "bin", "dev", "etc", "proc", "root", "sys", "usr", "usr/bin", "var" })
        {
            builder.AddDirectory(directory);
        }

        builder.AddDirectory("tmp", (UnixFileMode)0b1_111_111_111);
        builder.AddFile("bin/busybox", busybox, (UnixFileMode)0b111_101_101);
        foreach (var applet in Applets)
        {
            builder.AddSymlink("bin/" + applet, "busybox");
        }

        builder.AddFile("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"u8.ToArray(), (UnixFileMode)0b110_100_100);
        builder.AddFile("etc/group", "root:x:0:\nnogroup:x:65534:\n"u8.ToArray(), (UnixFileMode)0b110_100_100);
        return builder.Build();
    }

    /// <summary>Writes the busybox image (default command <c>sh</c>) as an OCI layout tarball.</summary>
    public static Task<string> WriteBusyboxAsync(Stream output, byte[] layer, CancellationToken cancellationToken) =>
        OciImageWriter.WriteAsync(output, BusyboxReference, [layer], new OciImageConfig { Cmd = ["sh"] }, cancellationToken);

    /// <summary>Writes the pause image as an OCI layout tarball.</summary>
    public static Task<string> WritePauseAsync(Stream output, byte[] layer, string reference, CancellationToken cancellationToken) =>
        OciImageWriter.WriteAsync(output, reference, [layer], new OciImageConfig { Entrypoint = PauseCommand }, cancellationToken);
}
