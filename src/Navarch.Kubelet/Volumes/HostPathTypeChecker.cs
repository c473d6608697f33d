// The kubelet runs on Linux only; file modes are Unix calls.
#pragma warning disable CA1416
namespace Navarch.Kubelet.Volumes;

/// <summary>
/// The hostPath <c>type</c> checks, with the kubelet's messages (pkg/volume/hostpath checkTypeInternal): the
/// <c>...OrCreate</c> types create a missing directory (0755) or empty file (0644); the others require what they name.
/// </summary>
internal static class HostPathTypeChecker
{
    /// <exception cref="VolumeSetupException">The path is not of the type (the message is the kubelet's, without the volume).</exception>
    public static void Check(string path, string? type)
    {
        switch (type ?? string.Empty)
        {
            case "":
                return;
            case "DirectoryOrCreate":
                if (!Exists(path))
                {
                    Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                    return;
                }

                goto case "Directory";
            case "Directory":
                if (!Directory.Exists(path))
                {
                    throw new VolumeSetupException($"hostPath type check failed: {path} is not a directory");
                }

                return;
            case "FileOrCreate":
                if (!Exists(path))
                {
                    var parent = Path.GetDirectoryName(path);
                    if (parent is not null)
                    {
                        Directory.CreateDirectory(parent);
                    }

                    using (File.Create(path))
                    {
                    }

                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                    return;
                }

                goto case "File";
            case "File":
                if (!File.Exists(path) || VolumeNative.FileType(path) is VolumeNative.S_IFSOCK or VolumeNative.S_IFBLK or VolumeNative.S_IFCHR)
                {
                    throw new VolumeSetupException($"hostPath type check failed: {path} is not a file");
                }

                return;
            case "Socket":
                Require(path, VolumeNative.S_IFSOCK, "a socket file");
                return;
            case "CharDevice":
                Require(path, VolumeNative.S_IFCHR, "a character device");
                return;
            case "BlockDevice":
                Require(path, VolumeNative.S_IFBLK, "a block device");
                return;
            default:
                throw new VolumeSetupException($"{type} is an invalid volume type");
        }
    }

    private static bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    private static void Require(string path, uint fileType, string what)
    {
        if (VolumeNative.FileType(path) != fileType)
        {
            throw new VolumeSetupException($"hostPath type check failed: {path} is not {what}");
        }
    }
}
