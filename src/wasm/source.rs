//! A campaign's list as the bindings hold it while the campaign runs (issue 12): the numbers
//! and, when each recipient has its own, the texts, each as one UTF-8 buffer with the ends of its
//! items (`crate::ledger::TextColumn`), not a `String` per recipient; the core takes them a part
//! at a time (`part`). The caller's array of numbers is kept as read, for the ledger's `to`.

use wasm_bindgen::JsValue;

use crate::batch::{BatchInput, Messages};
use crate::error::Error;
use crate::ledger::TextColumn;
use crate::segment::MessageProblem;

use super::options;

/// Texts that held a lone surrogate, with their problem (`None`: the shared text).
pub type Broken = Vec<(Option<usize>, MessageProblem)>;

enum Texts {
    /// One text for all: in `input.messages`.
    One,
    /// One per recipient.
    PerRecipient(TextColumn),
}

/// The campaign's list, read whole from the caller's arrays (in one crossing each).
pub struct Source {
    /// Every option but the list: `to` is empty, and so are per-recipient texts.
    input: BatchInput,
    numbers: TextColumn,
    texts: Texts,
    /// Per recipient (by index, ascending), or the shared text: the problem of a text that held
    /// a lone surrogate.
    broken: Broken,
    /// The caller's `to` array as read: the same strings, so the ledger shows them as given.
    given: JsValue,
}

impl Source {
    /// Reads a campaign's options and list.
    pub fn read(options: &JsValue) -> Result<Source, Error> {
        let (mut input, to, texts) = options::campaign_joined(options)?;
        let mut broken = std::mem::take(&mut input.undecodable_messages);
        broken.sort_by_key(|(at, _)| *at);
        // A shared text's problem stays with the input too: `CampaignCheck::new` reports it once
        // for the whole campaign (without it, every recipient was left unchecked and the campaign
        // refused with no issue at all: the boundary fuzzer's case 102289 of seed 13).
        input.undecodable_messages = broken.iter().filter(|(at, _)| at.is_none()).cloned().collect();
        let texts = match (&input.messages, texts) {
            (Messages::PerRecipient(_), Some(list)) => Texts::PerRecipient(list.texts),
            _ => Texts::One,
        };
        Ok(Source {
            input,
            numbers: to.texts,
            texts,
            broken,
            given: to.items,
        })
    }

    /// The campaign's options (`from`, `type`, `taskId`, the shared text) without the list.
    pub fn input(&self) -> &BatchInput {
        &self.input
    }

    /// Recipients in the list.
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    /// How many texts, when each recipient has its own.
    pub fn message_count(&self) -> Option<usize> {
        match &self.texts {
            Texts::One => None,
            Texts::PerRecipient(texts) => Some(texts.len()),
        }
    }

    /// The numbers as the caller gave them, as a JavaScript array.
    pub fn given(&self) -> &JsValue {
        &self.given
    }

    /// Recipients (and their texts) at `indexes`, with the broken texts among them (indexes
    /// within the part): one part's worth of `String`s at a time.
    pub fn part(&self, indexes: impl Iterator<Item = usize>) -> (Vec<String>, Messages, Broken) {
        let mut to = Vec::new();
        let mut texts = Vec::new();
        let mut broken = Vec::new();
        for (n, i) in indexes.enumerate() {
            to.push(self.numbers.get(i).unwrap_or_default().to_string());
            if let Texts::PerRecipient(all) = &self.texts {
                texts.push(all.get(i).unwrap_or_default().to_string());
                if let Ok(at) = self.broken.binary_search_by_key(&Some(i), |(at, _)| *at) {
                    if let Some((_, problem)) = self.broken.get(at) {
                        broken.push((Some(n), problem.clone()));
                    }
                }
            }
        }
        match (&self.texts, &self.input.messages) {
            (Texts::One, Messages::One(text)) => {
                let shared = self.broken.iter().filter(|(at, _)| at.is_none()).cloned();
                (to, Messages::One(text.clone()), shared.collect())
            }
            _ => (to, Messages::PerRecipient(texts), broken),
        }
    }
}
