// Embedded videos: each is a link to the video on YouTube or Vimeo (with
// a poster copied to this site, or a plain box), so a page loads nothing
// from the provider and works without this script as a link. With it, a
// click on the link swaps it for the provider's player, from its
// privacy-preserving host (youtube-nocookie.com, Vimeo with dnt=1); the
// player's address is the link's data-embed, checked when the article was
// saved (markdown/embed.go).

for (const link of document.querySelectorAll("a.embed-play[data-embed]")) {
  link.addEventListener("click", (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    const frame = document.createElement("iframe");
    frame.src = link.dataset.embed;
    frame.title = link.textContent.trim() || "Video";
    frame.className = "embed-frame";
    frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    link.replaceWith(frame);
    frame.focus();
  });
}
