// The attribution search box: as the operator types a name, stall or code,
// the open vendors that match are offered; choosing one fills in its code.
(() => {
  const WAIT_MS = 200;
  for (const input of document.querySelectorAll("input[data-suggest-url]")) {
    const list = document.getElementById(input.getAttribute("list"));
    let timer = null;
    let asked = "";
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const term = input.value.trim();
        if (term.length < 2 || term === asked) return;
        asked = term;
        const url = `${input.dataset.suggestUrl}?q=${encodeURIComponent(term)}`;
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!response.ok || term !== input.value.trim()) return;
        const { items } = await response.json();
        list.replaceChildren(
          ...items.map(({ code, label }) => {
            const option = document.createElement("option");
            option.value = code;
            option.label = label;
            option.textContent = label;
            return option;
          }),
        );
      }, WAIT_MS);
    });
  }
})();
