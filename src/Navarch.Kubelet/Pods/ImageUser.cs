namespace Navarch.Kubelet.Pods;

/// <summary>
/// The user an image runs as, as the runtime's ImageStatus reports it: a numeric <paramref name="Uid"/>, or a
/// <paramref name="Username"/> when the image names its user; neither means root, as the kubelet's getImageUser reads it.
/// </summary>
public sealed record ImageUser(long? Uid, string? Username)
{
    /// <summary>The image's user from a CRI image status.</summary>
    public static ImageUser From(Cri.V1.Image image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Uid is { } uid)
        {
            return new ImageUser(uid.Value, null);
        }

        // As the kubelet does: no user in the image means the runtime runs it as root.
        return string.IsNullOrEmpty(image.Username) ? new ImageUser(0, null) : new ImageUser(null, image.Username);
    }
}
