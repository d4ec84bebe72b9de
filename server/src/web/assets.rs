//! The web app's stylesheet and script, embedded in the binary and served
//! under names that carry their content's hash, so browsers may keep them
//! for good: a new build's assets have new names.

use std::{collections::HashMap, sync::LazyLock};

use axum::{
    extract::Path,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "assets/"]
struct Assets;

/// Each asset's served name (`app.3f9c2a1b.css`) by its file name, and back.
struct Names {
    hashed: HashMap<String, String>,
    files: HashMap<String, String>,
}

static NAMES: LazyLock<Names> = LazyLock::new(|| {
    let mut names = Names {
        hashed: HashMap::new(),
        files: HashMap::new(),
    };
    for file in Assets::iter() {
        let Some(asset) = Assets::get(&file) else {
            continue;
        };
        let hash: String = asset.metadata.sha256_hash()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let served = match file.rsplit_once('.') {
            Some((stem, extension)) => format!("{stem}.{hash}.{extension}"),
            None => format!("{file}.{hash}"),
        };
        names.hashed.insert(file.to_string(), served.clone());
        names.files.insert(served, file.to_string());
    }
    names
});

/// The path an asset is served at: `/static/app.3f9c2a1b.css`.
pub fn url(file: &str) -> String {
    match NAMES.hashed.get(file) {
        Some(served) => format!("/static/{served}"),
        None => format!("/static/{file}"),
    }
}

pub async fn serve(Path(name): Path<String>) -> Response {
    let Some(asset) = NAMES.files.get(&name).and_then(|file| Assets::get(file)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = match name.rsplit_once('.').map(|(_, extension)| extension) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        asset.data.into_owned(),
    )
        .into_response()
}
